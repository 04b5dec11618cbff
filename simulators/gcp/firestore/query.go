package firestore

import (
	"slices"
	"strings"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
)

// order is one normalised sort key of a query.
type order struct {
	path []string // nil: the document's name
	desc bool
}

// query is a checked StructuredQuery, ready to run.
type query struct {
	parent     string
	collection string
	descend    bool
	where      *pb.StructuredQuery_Filter
	orders     []order
	start, end *pb.Cursor
	offset     int
	limit      int // -1: none
	selectOnly []string
}

// compileQuery checks q and normalises its order as Firestore does: every
// inequality field not already ordered is appended (ascending, or as the
// last order), then the document name.
func compileQuery(parent string, q *pb.StructuredQuery) (*query, error) {
	if err := checkParent(parent); err != nil {
		return nil, err
	}
	if len(q.GetFrom()) != 1 {
		return nil, errorf(codes.InvalidArgument, "A query must select exactly one collection, got %d.", len(q.GetFrom()))
	}
	c := &query{parent: parent, collection: q.From[0].CollectionId, descend: q.From[0].AllDescendants, where: q.Where,
		start: q.StartAt, end: q.EndAt, offset: int(q.Offset), limit: -1}
	if c.collection == "" && !c.descend {
		return nil, errorf(codes.InvalidArgument, "A collection id is required unless the query selects all descendants.")
	}
	if q.Offset < 0 {
		return nil, errorf(codes.InvalidArgument, "offset is negative")
	}
	if q.Limit != nil {
		if q.Limit.Value < 0 {
			return nil, errorf(codes.InvalidArgument, "limit is negative")
		}
		c.limit = int(q.Limit.Value)
	}
	var inequal []string
	if err := checkFilter(q.Where, &inequal); err != nil {
		return nil, err
	}
	ordered := map[string]bool{}
	desc := false
	for _, o := range q.OrderBy {
		p := o.GetField().GetFieldPath()
		segs, err := fieldRef(p)
		if err != nil {
			return nil, err
		}
		desc = o.Direction == pb.StructuredQuery_DESCENDING
		c.orders = append(c.orders, order{segs, desc})
		ordered[p] = true
	}
	slices.Sort(inequal)
	for _, p := range slices.Compact(inequal) {
		if !ordered[p] && p != nameField {
			segs, _ := fieldRef(p)
			c.orders = append(c.orders, order{segs, desc})
			ordered[p] = true
		}
	}
	if !ordered[nameField] {
		c.orders = append(c.orders, order{nil, desc})
	}
	for _, cur := range []*pb.Cursor{q.StartAt, q.EndAt} {
		if len(cur.GetValues()) > len(c.orders) {
			return nil, errorf(codes.InvalidArgument, "Cursor has too many values.")
		}
	}
	if q.Select != nil {
		c.selectOnly = []string{}
		for _, f := range q.Select.Fields {
			if f.FieldPath != nameField {
				c.selectOnly = append(c.selectOnly, f.FieldPath)
			}
		}
	}
	return c, nil
}

// fieldRef parses a field path; the document name is nil.
func fieldRef(p string) ([]string, error) {
	if p == nameField {
		return nil, nil
	}
	return parseFieldPath(p)
}

// checkFilter validates f and collects the fields its inequalities use.
func checkFilter(f *pb.StructuredQuery_Filter, inequal *[]string) error {
	switch t := f.GetFilterType().(type) {
	case nil:
		return nil
	case *pb.StructuredQuery_Filter_CompositeFilter:
		op := t.CompositeFilter.Op
		if op != pb.StructuredQuery_CompositeFilter_AND && op != pb.StructuredQuery_CompositeFilter_OR {
			return errorf(codes.InvalidArgument, "Invalid composite filter operator %v", op)
		}
		for _, sub := range t.CompositeFilter.Filters {
			if err := checkFilter(sub, inequal); err != nil {
				return err
			}
		}
	case *pb.StructuredQuery_Filter_FieldFilter:
		ff := t.FieldFilter
		if _, err := fieldRef(ff.GetField().GetFieldPath()); err != nil {
			return err
		}
		switch ff.Op {
		case pb.StructuredQuery_FieldFilter_LESS_THAN, pb.StructuredQuery_FieldFilter_LESS_THAN_OR_EQUAL,
			pb.StructuredQuery_FieldFilter_GREATER_THAN, pb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL,
			pb.StructuredQuery_FieldFilter_NOT_EQUAL, pb.StructuredQuery_FieldFilter_NOT_IN:
			*inequal = append(*inequal, ff.Field.FieldPath)
		case pb.StructuredQuery_FieldFilter_EQUAL, pb.StructuredQuery_FieldFilter_ARRAY_CONTAINS:
		case pb.StructuredQuery_FieldFilter_IN, pb.StructuredQuery_FieldFilter_ARRAY_CONTAINS_ANY:
		default:
			return errorf(codes.InvalidArgument, "Invalid field filter operator %v", ff.Op)
		}
		switch ff.Op {
		case pb.StructuredQuery_FieldFilter_IN, pb.StructuredQuery_FieldFilter_NOT_IN, pb.StructuredQuery_FieldFilter_ARRAY_CONTAINS_ANY:
			if n := len(ff.GetValue().GetArrayValue().GetValues()); typeRank(ff.Value) != rankArray || n == 0 {
				return errorf(codes.InvalidArgument, "'%v' requires an non-empty ArrayValue.", ff.Op)
			}
		default:
			if isNull(ff.Value) || isNaN(ff.Value) {
				return errorf(codes.InvalidArgument, "Null and NaN are only allowed in unary filters (IS_NULL, IS_NAN); field %s.", ff.Field.FieldPath)
			}
		}
	case *pb.StructuredQuery_Filter_UnaryFilter:
		uf := t.UnaryFilter
		if _, err := fieldRef(uf.GetField().GetFieldPath()); err != nil {
			return err
		}
		switch uf.Op {
		case pb.StructuredQuery_UnaryFilter_IS_NAN, pb.StructuredQuery_UnaryFilter_IS_NULL:
		case pb.StructuredQuery_UnaryFilter_IS_NOT_NAN, pb.StructuredQuery_UnaryFilter_IS_NOT_NULL:
			*inequal = append(*inequal, uf.GetField().GetFieldPath())
		default:
			return errorf(codes.InvalidArgument, "Invalid unary filter operator %v", uf.Op)
		}
	}
	return nil
}

// docValue is the value at segs in d (nil segs: the name as a reference).
func docValue(d *pb.Document, segs []string) (*pb.Value, bool) {
	if segs == nil {
		return &pb.Value{ValueType: &pb.Value_ReferenceValue{ReferenceValue: d.Name}}, true
	}
	return getField(d.Fields, segs)
}

// matches reports whether d passes filter f.
func matches(d *pb.Document, f *pb.StructuredQuery_Filter) bool {
	switch t := f.GetFilterType().(type) {
	case *pb.StructuredQuery_Filter_CompositeFilter:
		or := t.CompositeFilter.Op == pb.StructuredQuery_CompositeFilter_OR
		for _, sub := range t.CompositeFilter.Filters {
			if matches(d, sub) == or {
				return or
			}
		}
		return !or
	case *pb.StructuredQuery_Filter_FieldFilter:
		segs, _ := fieldRef(t.FieldFilter.Field.FieldPath)
		v, ok := docValue(d, segs)
		return ok && fieldMatches(v, t.FieldFilter.Op, t.FieldFilter.Value)
	case *pb.StructuredQuery_Filter_UnaryFilter:
		segs, _ := fieldRef(t.UnaryFilter.GetField().GetFieldPath())
		v, ok := docValue(d, segs)
		if !ok {
			return false
		}
		switch t.UnaryFilter.Op {
		case pb.StructuredQuery_UnaryFilter_IS_NAN:
			return isNaN(v)
		case pb.StructuredQuery_UnaryFilter_IS_NULL:
			return isNull(v)
		case pb.StructuredQuery_UnaryFilter_IS_NOT_NAN:
			return !isNaN(v)
		case pb.StructuredQuery_UnaryFilter_IS_NOT_NULL:
			return !isNull(v)
		}
	}
	return true
}

// fieldMatches applies one field filter to a present value. Range
// comparisons only match values of the filter value's type.
func fieldMatches(v *pb.Value, op pb.StructuredQuery_FieldFilter_Operator, want *pb.Value) bool {
	list := want.GetArrayValue().GetValues()
	switch op {
	case pb.StructuredQuery_FieldFilter_EQUAL:
		return equalValues(v, want)
	case pb.StructuredQuery_FieldFilter_NOT_EQUAL:
		return !equalValues(v, want) && !isNull(v)
	case pb.StructuredQuery_FieldFilter_IN:
		return containsValue(list, v)
	case pb.StructuredQuery_FieldFilter_NOT_IN:
		return !containsValue(list, v) && !isNull(v)
	case pb.StructuredQuery_FieldFilter_ARRAY_CONTAINS:
		return containsValue(v.GetArrayValue().GetValues(), want)
	case pb.StructuredQuery_FieldFilter_ARRAY_CONTAINS_ANY:
		return slices.ContainsFunc(list, func(e *pb.Value) bool { return containsValue(v.GetArrayValue().GetValues(), e) })
	}
	if typeRank(v) != typeRank(want) || isNaN(v) {
		return false
	}
	c := compareValues(v, want)
	switch op {
	case pb.StructuredQuery_FieldFilter_LESS_THAN:
		return c < 0
	case pb.StructuredQuery_FieldFilter_LESS_THAN_OR_EQUAL:
		return c <= 0
	case pb.StructuredQuery_FieldFilter_GREATER_THAN:
		return c > 0
	case pb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL:
		return c >= 0
	}
	return false
}

// inScope reports whether the document name is in the query's collection.
func (q *query) inScope(name string) bool {
	parent, coll := parentAndCollection(name)
	if q.descend {
		return strings.HasPrefix(name, q.parent+"/") && (q.collection == "" || coll == q.collection)
	}
	return parent == q.parent && coll == q.collection
}

// run evaluates the query over docs.
func (q *query) run(docs map[string]*pb.Document) ([]*pb.Document, error) {
	var out []*pb.Document
	for name, d := range docs {
		if q.inScope(name) && q.hasOrderFields(d) && matches(d, q.where) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *pb.Document) int { return q.compare(a, b) })
	out = slices.DeleteFunc(out, func(d *pb.Document) bool { return !q.afterStart(d) || !q.beforeEnd(d) })
	out = out[min(q.offset, len(out)):]
	if q.limit >= 0 && len(out) > q.limit {
		out = out[:q.limit]
	}
	if q.selectOnly == nil {
		return out, nil
	}
	projected := make([]*pb.Document, len(out))
	for i, d := range out {
		fields, err := project(d.Fields, q.selectOnly)
		if err != nil {
			return nil, err
		}
		projected[i] = &pb.Document{Name: d.Name, Fields: fields, CreateTime: d.CreateTime, UpdateTime: d.UpdateTime}
	}
	return projected, nil
}

// hasOrderFields: a query ordered by a field only returns documents that
// have it.
func (q *query) hasOrderFields(d *pb.Document) bool {
	for _, o := range q.orders {
		if _, ok := docValue(d, o.path); !ok {
			return false
		}
	}
	return true
}

// compare orders two documents by the query's orders.
func (q *query) compare(a, b *pb.Document) int {
	return q.compareBy(a, len(q.orders), func(i int) *pb.Value {
		v, _ := docValue(b, q.orders[i].path)
		return v
	})
}

// compareCursor compares d with a cursor's values over the orders they
// cover.
func (q *query) compareCursor(d *pb.Document, values []*pb.Value) int {
	return q.compareBy(d, len(values), func(i int) *pb.Value { return values[i] })
}

// compareBy compares d's values for the first n orders with other(i).
func (q *query) compareBy(d *pb.Document, n int, other func(i int) *pb.Value) int {
	for i, o := range q.orders[:n] {
		dv, _ := docValue(d, o.path)
		c := compareValues(dv, other(i))
		if o.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// afterStart: a start cursor keeps what sorts after it, and what sorts
// level with it when it is "before" (StartAt, not StartAfter).
func (q *query) afterStart(d *pb.Document) bool {
	return q.start == nil || q.passes(d, q.start, 1)
}

// beforeEnd: an end cursor keeps what sorts before it, and what sorts
// level with it unless it is "before" (EndBefore, not EndAt).
func (q *query) beforeEnd(d *pb.Document) bool {
	return q.end == nil || q.passes(d, q.end, -1)
}

func (q *query) passes(d *pb.Document, cur *pb.Cursor, side int) bool {
	c := q.compareCursor(d, cur.Values) * side
	return c > 0 || c == 0 && cur.Before == (side > 0)
}
