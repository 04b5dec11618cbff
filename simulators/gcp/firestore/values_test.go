package firestore

import (
	"cmp"
	"math"
	"slices"
	"testing"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func TestParseFieldPath(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		want       []string // nil: an error
	}{
		{"a simple name", "a", []string{"a"}},
		{"dots separate segments", "a.b.c", []string{"a", "b", "c"}},
		{"backticks quote a segment with a dot", "`x.y`.z", []string{"x.y", "z"}},
		{"escapes in a quoted segment", "`a\\`b`", []string{"a`b"}},
		{"an empty segment is refused", "a..b", nil},
		{"an unterminated quote is refused", "`a", nil},
		{"text after a quoted segment is refused", "`a`b", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFieldPath(tc.path)
			if (err == nil) != (tc.want != nil) || !slices.Equal(got, tc.want) {
				t.Fatalf("parseFieldPath(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
			}
		})
	}
}

// TestValueOrder proves values sort as Firestore documents: by type, then
// within the type, integers and doubles together.
func TestValueOrder(t *testing.T) {
	i := func(n int64) *pb.Value { return &pb.Value{ValueType: &pb.Value_IntegerValue{IntegerValue: n}} }
	d := func(f float64) *pb.Value { return &pb.Value{ValueType: &pb.Value_DoubleValue{DoubleValue: f}} }
	str := func(s string) *pb.Value { return &pb.Value{ValueType: &pb.Value_StringValue{StringValue: s}} }
	ordered := []*pb.Value{
		nullValue,
		{ValueType: &pb.Value_BooleanValue{BooleanValue: false}},
		{ValueType: &pb.Value_BooleanValue{BooleanValue: true}},
		d(math.NaN()), d(math.Inf(-1)), i(math.MinInt64), d(-1.5), i(-1), d(0.5), i(1), d(1.5), i(math.MaxInt64), d(math.Inf(1)),
		{ValueType: &pb.Value_TimestampValue{TimestampValue: timestamppb.New(timestamppb.Now().AsTime())}},
		str(""), str("a"), str("b"),
		{ValueType: &pb.Value_BytesValue{BytesValue: []byte("a")}},
		{ValueType: &pb.Value_ReferenceValue{ReferenceValue: "projects/p/databases/d/documents/c/a"}},
		{ValueType: &pb.Value_ReferenceValue{ReferenceValue: "projects/p/databases/d/documents/c/a/s/x"}},
		{ValueType: &pb.Value_ArrayValue{ArrayValue: &pb.ArrayValue{Values: []*pb.Value{i(1)}}}},
		{ValueType: &pb.Value_ArrayValue{ArrayValue: &pb.ArrayValue{Values: []*pb.Value{i(1), i(0)}}}},
		{ValueType: &pb.Value_MapValue{MapValue: &pb.MapValue{Fields: map[string]*pb.Value{"a": i(1)}}}},
	}
	for a := range ordered {
		for b := range ordered {
			if got, want := compareValues(ordered[a], ordered[b]), cmp.Compare(a, b); got != want {
				t.Errorf("compare(%v, %v) = %d, want %d", ordered[a], ordered[b], got, want)
			}
		}
	}
	if !equalValues(i(1), d(1)) || equalValues(d(math.NaN()), d(math.NaN())) {
		t.Error("1 must equal 1.0, and NaN nothing")
	}
}
