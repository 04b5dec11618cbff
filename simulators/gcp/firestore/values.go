package firestore

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strings"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
)

// Firestore orders values of different types by type, in this order, and
// numbers (integers and doubles) as one type:
// https://firebase.google.com/docs/firestore/manage-data/data-types#value_type_ordering
const (
	rankNull = iota
	rankBool
	rankNumber
	rankTimestamp
	rankString
	rankBytes
	rankReference
	rankGeoPoint
	rankArray
	rankMap
)

func typeRank(v *pb.Value) int {
	switch v.GetValueType().(type) {
	case *pb.Value_BooleanValue:
		return rankBool
	case *pb.Value_IntegerValue, *pb.Value_DoubleValue:
		return rankNumber
	case *pb.Value_TimestampValue:
		return rankTimestamp
	case *pb.Value_StringValue:
		return rankString
	case *pb.Value_BytesValue:
		return rankBytes
	case *pb.Value_ReferenceValue:
		return rankReference
	case *pb.Value_GeoPointValue:
		return rankGeoPoint
	case *pb.Value_ArrayValue:
		return rankArray
	case *pb.Value_MapValue:
		return rankMap
	}
	return rankNull
}

// compareValues orders a and b as Firestore's queries do.
func compareValues(a, b *pb.Value) int {
	ra, rb := typeRank(a), typeRank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch ra {
	case rankBool:
		return cmp.Compare(b2i(a.GetBooleanValue()), b2i(b.GetBooleanValue()))
	case rankNumber:
		return compareNumbers(a, b)
	case rankTimestamp:
		ta, tb := a.GetTimestampValue(), b.GetTimestampValue()
		if c := cmp.Compare(ta.GetSeconds(), tb.GetSeconds()); c != 0 {
			return c
		}
		return cmp.Compare(ta.GetNanos(), tb.GetNanos())
	case rankString:
		return strings.Compare(a.GetStringValue(), b.GetStringValue())
	case rankBytes:
		return bytes.Compare(a.GetBytesValue(), b.GetBytesValue())
	case rankReference:
		return compareNames(a.GetReferenceValue(), b.GetReferenceValue())
	case rankGeoPoint:
		ga, gb := a.GetGeoPointValue(), b.GetGeoPointValue()
		if c := compareFloats(ga.GetLatitude(), gb.GetLatitude()); c != 0 {
			return c
		}
		return compareFloats(ga.GetLongitude(), gb.GetLongitude())
	case rankArray:
		return compareArrays(a.GetArrayValue().GetValues(), b.GetArrayValue().GetValues())
	case rankMap:
		return compareMaps(a.GetMapValue().GetFields(), b.GetMapValue().GetFields())
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compareFloats orders NaN before every other number.
func compareFloats(a, b float64) int {
	switch an, bn := math.IsNaN(a), math.IsNaN(b); {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	}
	return cmp.Compare(a, b)
}

// compareNumbers compares integers and doubles by value, exactly (a double
// is not rounded to an integer, nor a large integer to a double).
func compareNumbers(a, b *pb.Value) int {
	ai, aInt := a.GetValueType().(*pb.Value_IntegerValue)
	bi, bInt := b.GetValueType().(*pb.Value_IntegerValue)
	switch {
	case aInt && bInt:
		return cmp.Compare(ai.IntegerValue, bi.IntegerValue)
	case aInt:
		return -compareDoubleInt(b.GetDoubleValue(), ai.IntegerValue)
	case bInt:
		return compareDoubleInt(a.GetDoubleValue(), bi.IntegerValue)
	}
	return compareFloats(a.GetDoubleValue(), b.GetDoubleValue())
}

func compareDoubleInt(d float64, i int64) int {
	switch {
	case math.IsNaN(d):
		return -1
	case d >= 1<<63:
		return 1
	case d < -(1 << 63):
		return -1
	}
	t := math.Trunc(d)
	if c := cmp.Compare(int64(t), i); c != 0 {
		return c
	}
	return compareFloats(d-t, 0)
}

func compareArrays(a, b []*pb.Value) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareValues(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func compareMaps(a, b map[string]*pb.Value) int {
	ka, kb := sortedKeys(a), sortedKeys(b)
	for i := 0; i < len(ka) && i < len(kb); i++ {
		if c := strings.Compare(ka[i], kb[i]); c != 0 {
			return c
		}
		if c := compareValues(a[ka[i]], b[kb[i]]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(ka), len(kb))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// compareNames orders document names segment by segment, so a parent
// sorts before its collections' documents.
func compareNames(a, b string) int {
	sa, sb := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(sa) && i < len(sb); i++ {
		if c := strings.Compare(sa[i], sb[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(sa), len(sb))
}

// equalValues is equality as filters see it: 1 == 1.0, and NaN equals
// nothing.
func equalValues(a, b *pb.Value) bool {
	if isNaN(a) || isNaN(b) {
		return false
	}
	return typeRank(a) == typeRank(b) && compareValues(a, b) == 0
}

func isNaN(v *pb.Value) bool {
	d, ok := v.GetValueType().(*pb.Value_DoubleValue)
	return ok && math.IsNaN(d.DoubleValue)
}

func isNull(v *pb.Value) bool { return typeRank(v) == rankNull }

func containsValue(list []*pb.Value, v *pb.Value) bool {
	return slices.ContainsFunc(list, func(e *pb.Value) bool { return equalValues(e, v) })
}
