package server

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"cloud.google.com/go/firestore"
	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
)

// aggregationCases are aggregation queries over the cities and what they
// return, by alias; the differential test runs them against the emulator.
func aggregationCases(c *firestore.Client) []struct {
	name string
	q    *firestore.AggregationQuery
	want string
} {
	cs := c.Collection("cities")
	agg := func(q firestore.Query) *firestore.AggregationQuery { return q.NewAggregationQuery() }
	return []struct {
		name string
		q    *firestore.AggregationQuery
		want string
	}{
		{"count of a collection", agg(cs.Query).WithCount("n"), "n=5"},
		{"count of a filtered query", agg(cs.Where("state", "==", "CA")).WithCount("n"), "n=2"},
		{"sum of integers is an integer", agg(cs.Query).WithSum("pop", "total"), "total=35940000"},
		{"sum of doubles, skipping documents without the field", agg(cs.Query).WithSum("area", "total"), "total=20028.5"},
		{"average is a double", agg(cs.Where("state", "==", "CA")).WithAvg("pop", "avg"), "avg=2.38e+06"},
		{"several aggregations at once", agg(cs.Where("pop", ">", 5000000)).WithCount("n").WithSum("pop", "s"), "n=2 s=30500000"},
		{"sum over no documents is 0, average null", agg(cs.Where("state", "==", "ZZ")).WithSum("pop", "s").WithAvg("pop", "a"), "a=<nil> s=0"},
	}
}

// aggregationString renders a result as alias=value pairs in alias order.
func aggregationString(r firestore.AggregationResult) string {
	out := ""
	for _, k := range sortedAliases(r) {
		var v any
		switch x := r[k].(*pb.Value).GetValueType().(type) {
		case *pb.Value_IntegerValue:
			v = x.IntegerValue
		case *pb.Value_DoubleValue:
			v = x.DoubleValue
		}
		if out != "" {
			out += " "
		}
		out += fmt.Sprintf("%s=%v", k, v)
	}
	return out
}

func sortedAliases(r firestore.AggregationResult) []string {
	return slices.Sorted(maps.Keys(r))
}

func TestAggregations(t *testing.T) {
	srv := startServer(t, Config{})
	c := sdkClient(t, srv.Addr(), newProject(t))
	seedCities(t, c)
	for _, tc := range aggregationCases(c) {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.q.Get(context.Background())
			wantCode(t, err, codes.OK)
			if got := aggregationString(r); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}
