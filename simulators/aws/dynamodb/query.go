package dynamodb

import (
	"hash/fnv"
	"sort"
	"strings"
)

// pageBytes is DynamoDB's 1 MB cap on the data one Query or Scan page reads.
const pageBytes = 1 << 20

type queryInput struct {
	exprInput
	TableName              string `json:"TableName"`
	IndexName              string `json:"IndexName"`
	KeyConditionExpression string `json:"KeyConditionExpression"`
	FilterExpression       string `json:"FilterExpression"`
	ProjectionExpression   string `json:"ProjectionExpression"`
	ExclusiveStartKey      Item   `json:"ExclusiveStartKey"`
	Limit                  *int   `json:"Limit"`
	ScanIndexForward       *bool  `json:"ScanIndexForward"`
	Select                 string `json:"Select"`
	ConsistentRead         bool   `json:"ConsistentRead"`
	Segment                *int   `json:"Segment"`
	TotalSegments          *int   `json:"TotalSegments"`
}

// readPlan is what Query and Scan share once their inputs are checked.
type readPlan struct {
	t      *table
	filter cond
	proj   []path
	limit  int
	count  bool
}

func (s *Service) planRead(region string, in *queryInput) (*readPlan, *exprContext, *apiError) {
	t, err := s.findTable(region, in.TableName)
	if err != nil {
		return nil, nil, err
	}
	if in.IndexName != "" {
		return nil, nil, validation("The table does not have the specified index: %s", in.IndexName)
	}
	ctx, err := in.context()
	if err != nil {
		return nil, nil, err
	}
	p := &readPlan{t: t}
	if in.FilterExpression != "" {
		if p.filter, err = parse(ctx, "FilterExpression", in.FilterExpression, parseCondition); err != nil {
			return nil, nil, err
		}
	}
	if p.proj, err = projection(ctx, in.ProjectionExpression); err != nil {
		return nil, nil, err
	}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		}
		p.limit = *in.Limit
	}
	switch in.Select {
	case "", "ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES":
	case "COUNT":
		p.count = true
	default:
		return nil, nil, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", in.Select)
	}
	if in.ExclusiveStartKey != nil {
		if err := checkKey(t, in.ExclusiveStartKey); err != nil {
			return nil, nil, validation("The provided starting key is invalid: %s", err.Message)
		}
	}
	return p, ctx, nil
}

// page walks items (already in order and past the start key), counting
// every item read against Limit and the 1 MB cap, and keeps those that
// pass the filter.
func (p *readPlan) page(items []Item) map[string]any {
	var out []Item
	scanned, bytes := 0, 0
	var last Item
	for _, it := range items {
		scanned++
		bytes += it.size()
		if p.filter == nil || p.filter.test(it) {
			out = append(out, applyProjection(it, p.proj))
		}
		if p.limit > 0 && scanned == p.limit || bytes >= pageBytes {
			last = keyOf(p.t, it)
			break
		}
	}
	res := map[string]any{"Count": len(out), "ScannedCount": scanned}
	if !p.count {
		if out == nil {
			out = []Item{}
		}
		res["Items"] = out
	}
	if last != nil {
		res["LastEvaluatedKey"] = last
	}
	return res
}

func (s *Service) query(region string, in *queryInput) (any, *apiError) {
	p, ctx, err := s.planRead(region, in)
	if err != nil {
		return nil, err
	}
	if in.KeyConditionExpression == "" {
		return nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	kc, err := parse(ctx, "KeyConditionExpression", in.KeyConditionExpression, parseCondition)
	if err != nil {
		return nil, err
	}
	hash, err := checkKeyCondition(p.t, kc)
	if err != nil {
		return nil, err
	}
	if err := ctx.checkUnused(); err != nil {
		return nil, err
	}
	var items []Item
	for _, it := range p.t.parts[keyString(hash)] {
		if !s.expired(p.t, it) && kc.test(it) {
			items = append(items, it)
		}
	}
	rk := p.t.rangeKey
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	sort.Slice(items, func(i, j int) bool {
		if rk == "" {
			return false
		}
		n, _ := compare(items[i][rk], items[j][rk])
		return n < 0 == forward && n != 0
	})
	if esk := in.ExclusiveStartKey; esk != nil && rk != "" {
		i := sort.Search(len(items), func(i int) bool {
			n, _ := compare(items[i][rk], esk[rk])
			return forward && n > 0 || !forward && n < 0
		})
		items = items[i:]
	} else if esk != nil {
		items = nil
	}
	return p.page(items), nil
}

// checkKeyCondition enforces DynamoDB's key condition grammar: partition
// key equality, optionally AND one sort key condition. It returns the
// partition key value.
func checkKeyCondition(t *table, c cond) (Value, *apiError) {
	var leaves []cond
	var walk func(cond) *apiError
	walk = func(c cond) *apiError {
		switch c := c.(type) {
		case andCond:
			if err := walk(c.l); err != nil {
				return err
			}
			return walk(c.r)
		case orCond:
			return validation("Invalid operator used in KeyConditionExpression: OR")
		case notCond:
			return validation("Invalid operator used in KeyConditionExpression: NOT")
		case inCond:
			return validation("Invalid operator used in KeyConditionExpression: IN")
		}
		leaves = append(leaves, c)
		return nil
	}
	if err := walk(c); err != nil {
		return Value{}, err
	}
	if len(leaves) > 2 {
		return Value{}, validation("Conditions can be of length 1 or 2 only")
	}
	var hash *Value
	sortSeen := false
	for _, l := range leaves {
		name, vals, op := keyLeaf(l)
		switch {
		case name == t.hashKey && op == "=":
			v := vals[0]
			hash = &v
		case name == t.hashKey:
			return Value{}, validation("Query key condition not supported")
		case name == t.rangeKey && t.rangeKey != "" && !sortSeen && op != "" && op != "<>":
			sortSeen = true
		case op == "<>" || op == "":
			return Value{}, validation("Invalid operator used in KeyConditionExpression: %s", strings.ToUpper(opName(l)))
		default:
			return Value{}, validation("Query condition missed key schema element: %s", t.hashKey)
		}
		for _, v := range vals {
			if string(v.Kind) != t.attrType(name) {
				return Value{}, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
		}
	}
	if hash == nil {
		return Value{}, validation("Query condition missed key schema element: %s", t.hashKey)
	}
	return *hash, nil
}

// keyLeaf decomposes "path op :value" leaves; op is "" for anything that
// is not a valid key condition.
func keyLeaf(c cond) (string, []Value, string) {
	single := func(o operand) (string, bool) {
		p, ok := o.(pathOperand)
		if !ok || len(p.p) != 1 {
			return "", false
		}
		return p.p[0].name, true
	}
	value := func(o operand) (Value, bool) {
		v, ok := o.(valueOperand)
		return v.v, ok
	}
	switch c := c.(type) {
	case cmpCond:
		name, ok := single(c.l)
		v, vok := value(c.r)
		if ok && vok {
			return name, []Value{v}, c.op
		}
	case betweenCond:
		name, ok := single(c.v)
		lo, lok := value(c.lo)
		hi, hok := value(c.hi)
		if ok && lok && hok {
			return name, []Value{lo, hi}, "BETWEEN"
		}
	case funcCond:
		v, vok := value(c.arg)
		if c.name == "begins_with" && len(c.p) == 1 && vok {
			return c.p[0].name, []Value{v}, "begins_with"
		}
		return c.p[0].name, nil, ""
	}
	return "", nil, ""
}

func opName(c cond) string {
	if f, ok := c.(funcCond); ok {
		return f.name
	}
	if c, ok := c.(cmpCond); ok {
		return c.op
	}
	return "condition"
}

func (s *Service) scan(region string, in *queryInput) (any, *apiError) {
	p, ctx, err := s.planRead(region, in)
	if err != nil {
		return nil, err
	}
	if err := ctx.checkUnused(); err != nil {
		return nil, err
	}
	if (in.Segment == nil) != (in.TotalSegments == nil) {
		return nil, validation("The TotalSegments parameter is required but was not present in the request when parameter Segment is present")
	}
	if in.TotalSegments != nil && (*in.TotalSegments < 1 || *in.Segment < 0 || *in.Segment >= *in.TotalSegments) {
		return nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *in.Segment, *in.TotalSegments)
	}
	t := p.t
	type entry struct {
		hk string
		it Item
	}
	var all []entry
	for hk, part := range t.parts {
		if in.TotalSegments != nil && segmentOf(hk, *in.TotalSegments) != *in.Segment {
			continue
		}
		for _, it := range part {
			if !s.expired(t, it) {
				all = append(all, entry{hk, it})
			}
		}
	}
	// Scan order: by partition, then by sort key, so ExclusiveStartKey is a
	// stable position even after writes.
	less := func(ahk string, a Item, bhk string, b Item) bool {
		if ahk != bhk {
			return ahk < bhk
		}
		if t.rangeKey == "" {
			return false
		}
		n, _ := compare(a[t.rangeKey], b[t.rangeKey])
		return n < 0
	}
	sort.Slice(all, func(i, j int) bool { return less(all[i].hk, all[i].it, all[j].hk, all[j].it) })
	start := 0
	if esk := in.ExclusiveStartKey; esk != nil {
		ehk := keyString(esk[t.hashKey])
		start = sort.Search(len(all), func(i int) bool { return less(ehk, esk, all[i].hk, all[i].it) })
	}
	items := make([]Item, 0, len(all)-start)
	for _, e := range all[start:] {
		items = append(items, e.it)
	}
	return p.page(items), nil
}

func segmentOf(hk string, total int) int {
	h := fnv.New32a()
	h.Write([]byte(hk))
	return int(h.Sum32() % uint32(total))
}
