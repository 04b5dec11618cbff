package firestore

import (
	"math"
	"time"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var nullValue = &pb.Value{ValueType: &pb.Value_NullValue{NullValue: structpb.NullValue_NULL_VALUE}}

func checkTransform(ft *pb.DocumentTransform_FieldTransform) error {
	if _, err := parseFieldPath(ft.FieldPath); err != nil {
		return err
	}
	switch t := ft.GetTransformType().(type) {
	case *pb.DocumentTransform_FieldTransform_SetToServerValue:
		if t.SetToServerValue != pb.DocumentTransform_FieldTransform_REQUEST_TIME {
			return errorf(codes.InvalidArgument, "Unknown server value %v for field %s", t.SetToServerValue, ft.FieldPath)
		}
	case *pb.DocumentTransform_FieldTransform_Increment:
		return checkNumber(t.Increment)
	case *pb.DocumentTransform_FieldTransform_Maximum:
		return checkNumber(t.Maximum)
	case *pb.DocumentTransform_FieldTransform_Minimum:
		return checkNumber(t.Minimum)
	case *pb.DocumentTransform_FieldTransform_AppendMissingElements, *pb.DocumentTransform_FieldTransform_RemoveAllFromArray:
	default:
		return errorf(codes.InvalidArgument, "Field transform for %s has no transform type", ft.FieldPath)
	}
	return nil
}

func checkNumber(v *pb.Value) error {
	if typeRank(v) != rankNumber {
		return errorf(codes.InvalidArgument, "Input must be int64 or double.")
	}
	return nil
}

// transform computes a field's value after ft at commit time at from its
// old value (nil: missing), and the transform's result as Commit reports
// it (the new value, or null for array transforms).
func transform(ft *pb.DocumentTransform_FieldTransform, old *pb.Value, at time.Time) (v, result *pb.Value) {
	switch t := ft.GetTransformType().(type) {
	case *pb.DocumentTransform_FieldTransform_SetToServerValue:
		// "The time at which the server processed the request, with
		// millisecond precision": at most the commit time, as on the emulator.
		v = &pb.Value{ValueType: &pb.Value_TimestampValue{TimestampValue: timestamppb.New(at.Truncate(time.Millisecond))}}
		return v, v
	case *pb.DocumentTransform_FieldTransform_Increment:
		v = increment(old, t.Increment)
		return v, v
	case *pb.DocumentTransform_FieldTransform_Maximum:
		v = extreme(old, t.Maximum, 1)
		return v, v
	case *pb.DocumentTransform_FieldTransform_Minimum:
		v = extreme(old, t.Minimum, -1)
		return v, v
	case *pb.DocumentTransform_FieldTransform_AppendMissingElements:
		out := arrayOf(old)
		for _, e := range t.AppendMissingElements.GetValues() {
			if !containsValue(out, e) {
				out = append(out, e)
			}
		}
		return &pb.Value{ValueType: &pb.Value_ArrayValue{ArrayValue: &pb.ArrayValue{Values: out}}}, nullValue
	case *pb.DocumentTransform_FieldTransform_RemoveAllFromArray:
		var out []*pb.Value
		for _, e := range arrayOf(old) {
			if !containsValue(t.RemoveAllFromArray.GetValues(), e) {
				out = append(out, e)
			}
		}
		return &pb.Value{ValueType: &pb.Value_ArrayValue{ArrayValue: &pb.ArrayValue{Values: out}}}, nullValue
	}
	return old, nullValue
}

// arrayOf is a copy of old's elements, or none when old is not an array.
func arrayOf(old *pb.Value) []*pb.Value {
	return append([]*pb.Value(nil), old.GetArrayValue().GetValues()...)
}

// increment adds by to old: integers stay integers and saturate at the
// int64 limits; a double on either side makes a double; a missing or
// non-numeric old value is replaced by by.
func increment(old, by *pb.Value) *pb.Value {
	if typeRank(old) != rankNumber {
		return by
	}
	oi, oInt := old.GetValueType().(*pb.Value_IntegerValue)
	bi, bInt := by.GetValueType().(*pb.Value_IntegerValue)
	if oInt && bInt {
		sum := oi.IntegerValue + bi.IntegerValue
		switch {
		case bi.IntegerValue > 0 && sum < oi.IntegerValue:
			sum = math.MaxInt64
		case bi.IntegerValue < 0 && sum > oi.IntegerValue:
			sum = math.MinInt64
		}
		return &pb.Value{ValueType: &pb.Value_IntegerValue{IntegerValue: sum}}
	}
	return &pb.Value{ValueType: &pb.Value_DoubleValue{DoubleValue: asFloat(old) + asFloat(by)}}
}

func asFloat(v *pb.Value) float64 {
	if i, ok := v.GetValueType().(*pb.Value_IntegerValue); ok {
		return float64(i.IntegerValue)
	}
	return v.GetDoubleValue()
}

// extreme is maximum (sign 1) or minimum (sign -1) of old and in: NaN on
// either side wins, an equal value keeps old.
func extreme(old, in *pb.Value, sign int) *pb.Value {
	if typeRank(old) != rankNumber {
		return in
	}
	if isNaN(old) {
		return old
	}
	if isNaN(in) || compareNumbers(in, old)*sign > 0 {
		return in
	}
	return old
}
