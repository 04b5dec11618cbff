package firestore

import (
	"fmt"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
)

// RunAggregationQuery answers count, sum and average over a query's
// results in one response, as Firestore does.
func (s *Service) RunAggregationQuery(req *pb.RunAggregationQueryRequest, stream pb.Firestore_RunAggregationQueryServer) error {
	agg := req.GetStructuredAggregationQuery()
	if len(agg.GetAggregations()) == 0 {
		return errorf(codes.InvalidArgument, "At least one aggregation is required.")
	}
	r, err := s.runQuery(req.Parent, agg.GetStructuredQuery(), req.GetTransaction(), req.GetNewTransaction(), req.GetReadTime())
	if err != nil {
		return err
	}
	resp := &pb.RunAggregationQueryResponse{Result: &pb.AggregationResult{AggregateFields: map[string]*pb.Value{}}, Transaction: r.newTxn, ReadTime: r.readTime}
	for i, a := range agg.Aggregations {
		alias := a.Alias
		if alias == "" {
			alias = fmt.Sprintf("field_%d", i+1)
		}
		if _, dup := resp.Result.AggregateFields[alias]; dup {
			return errorf(codes.InvalidArgument, "Duplicate alias %q.", alias)
		}
		v, err := aggregate(a, r.docs)
		if err != nil {
			return err
		}
		resp.Result.AggregateFields[alias] = v
	}
	return stream.Send(resp)
}

// aggregate computes one aggregation over docs: sum and average count only
// numeric values; a sum of integers stays an integer unless it overflows.
func aggregate(a *pb.StructuredAggregationQuery_Aggregation, docs []*pb.Document) (*pb.Value, error) {
	switch op := a.GetOperator().(type) {
	case *pb.StructuredAggregationQuery_Aggregation_Count_:
		n := int64(len(docs))
		if up := op.Count.GetUpTo(); up != nil {
			if up.Value <= 0 {
				return nil, errorf(codes.InvalidArgument, "up_to must be positive, got %d.", up.Value)
			}
			n = min(n, up.Value)
		}
		return &pb.Value{ValueType: &pb.Value_IntegerValue{IntegerValue: n}}, nil
	case *pb.StructuredAggregationQuery_Aggregation_Sum_, *pb.StructuredAggregationQuery_Aggregation_Avg_:
		field := a.GetSum().GetField().GetFieldPath()
		if a.GetAvg() != nil {
			field = a.GetAvg().GetField().GetFieldPath()
		}
		segs, err := fieldRef(field)
		if err != nil {
			return nil, err
		}
		var isum int64
		var fsum float64
		n, allInt := 0, true
		for _, d := range docs {
			v, ok := docValue(d, segs)
			if !ok || typeRank(v) != rankNumber {
				continue
			}
			n++
			fsum += asFloat(v)
			if i, isInt := v.GetValueType().(*pb.Value_IntegerValue); isInt && allInt {
				next := isum + i.IntegerValue
				if (i.IntegerValue > 0 && next < isum) || (i.IntegerValue < 0 && next > isum) {
					allInt = false
				}
				isum = next
			} else {
				allInt = false
			}
		}
		if a.GetAvg() != nil {
			if n == 0 {
				return nullValue, nil
			}
			return &pb.Value{ValueType: &pb.Value_DoubleValue{DoubleValue: fsum / float64(n)}}, nil
		}
		if allInt {
			return &pb.Value{ValueType: &pb.Value_IntegerValue{IntegerValue: isum}}, nil
		}
		return &pb.Value{ValueType: &pb.Value_DoubleValue{DoubleValue: fsum}}, nil
	}
	return nil, errorf(codes.InvalidArgument, "An aggregation needs an operator (count, sum or avg).")
}
