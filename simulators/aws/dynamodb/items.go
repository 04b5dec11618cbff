package dynamodb

import (
	"slices"
)

// exprInput is the expression plumbing shared by item operations.
type exprInput struct {
	ConditionExpression       string            `json:"ConditionExpression"`
	ExpressionAttributeNames  map[string]string `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues map[string]Value  `json:"ExpressionAttributeValues"`
	// Legacy parameters are refused rather than silently ignored.
	Expected         any `json:"Expected"`
	AttributeUpdates any `json:"AttributeUpdates"`
	KeyConditions    any `json:"KeyConditions"`
	QueryFilter      any `json:"QueryFilter"`
	ScanFilter       any `json:"ScanFilter"`
	AttributesToGet  any `json:"AttributesToGet"`
}

func (e *exprInput) context() (*exprContext, *apiError) {
	for name, v := range map[string]any{"Expected": e.Expected, "AttributeUpdates": e.AttributeUpdates,
		"KeyConditions": e.KeyConditions, "QueryFilter": e.QueryFilter, "ScanFilter": e.ScanFilter, "AttributesToGet": e.AttributesToGet} {
		if v != nil {
			return nil, validation("awssim: legacy parameter %s is not supported; use expressions", name)
		}
	}
	return newExprContext(e.ExpressionAttributeNames, e.ExpressionAttributeValues), nil
}

// condition parses ConditionExpression; nil when there is none.
func (e *exprInput) condition(ctx *exprContext) (cond, *apiError) {
	if e.ConditionExpression == "" {
		return nil, nil
	}
	return parse(ctx, "ConditionExpression", e.ConditionExpression, parseCondition)
}

// checkKey validates a Key parameter against the table's key schema.
func checkKey(t *table, key Item) *apiError {
	if len(key) != len(t.keyNames()) {
		return validation("The provided key element does not match the schema")
	}
	for _, k := range t.keyNames() {
		v, ok := key[k]
		if !ok || string(v.Kind) != t.attrType(k) {
			return validation("The provided key element does not match the schema")
		}
		if v.Kind == KindS && v.S == "" || v.Kind == KindB && len(v.B) == 0 {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", k)
		}
	}
	return nil
}

// checkItem validates a whole item written by PutItem.
func checkItem(t *table, it Item) *apiError {
	for _, k := range t.keyNames() {
		v, ok := it[k]
		if !ok {
			return validation("One or more parameter values were invalid: Missing the key %s in the item", k)
		}
		if want := t.attrType(k); string(v.Kind) != want {
			return validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", k, want, v.Kind)
		}
		if v.Kind == KindS && v.S == "" || v.Kind == KindB && len(v.B) == 0 {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", k)
		}
	}
	if it.size() > 400*1024 {
		return validation("Item size has exceeded the maximum allowed size")
	}
	return nil
}

func (t *table) attrType(name string) string {
	for _, d := range t.meta.AttributeDefinitions {
		if d.AttributeName == name {
			return d.AttributeType
		}
	}
	return ""
}

func keyOf(t *table, it Item) Item {
	k := Item{}
	for _, n := range t.keyNames() {
		k[n] = it[n]
	}
	return k
}

// visible returns the stored item, or nil if it is absent or expired.
func (s *Service) visible(t *table, key Item) Item {
	it, ok := t.get(key)
	if !ok || s.expired(t, it) {
		return nil
	}
	return it
}

// write is one conditional single-item write: the unit PutItem, UpdateItem,
// DeleteItem and each TransactWriteItems entry reduce to.
type write struct {
	t    *table
	key  Item
	cond cond
	// next computes the new item from the old (nil if absent); it returns
	// nil to delete. A nil next is a ConditionCheck.
	next       func(old Item) (Item, *apiError)
	returnOld  bool // ReturnValuesOnConditionCheckFailure=ALL_OLD
	old, after Item
}

// evaluate checks the condition and computes the new item, without storing.
func (s *Service) evaluate(w *write) *apiError {
	w.old = s.visible(w.t, w.key)
	if w.cond != nil {
		subject := w.old
		if subject == nil {
			subject = Item{}
		}
		if !w.cond.test(subject) {
			var it Item
			if w.returnOld {
				it = w.old
			}
			return conditionFailed(it)
		}
	}
	if w.next == nil {
		return nil
	}
	after, err := w.next(w.old)
	w.after = after
	return err
}

func (s *Service) commitOne(w *write) *apiError {
	if err := s.evaluate(w); err != nil {
		return err
	}
	if err := s.St.commit([]change{{t: w.t, key: w.key, item: w.after}}); err != nil {
		return internal(err)
	}
	return nil
}

func checkReturnValues(rv string, allowed ...string) *apiError {
	if rv == "" || rv == "NONE" || slices.Contains(allowed, rv) {
		return nil
	}
	return validation("Return values set to invalid value")
}

func returnOldOnFailure(v string) (bool, *apiError) {
	switch v {
	case "", "NONE":
		return false, nil
	case "ALL_OLD":
		return true, nil
	}
	return false, validation("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", v)
}

type putItemInput struct {
	exprInput
	TableName                           string `json:"TableName"`
	Item                                Item   `json:"Item"`
	ReturnValues                        string `json:"ReturnValues"`
	ReturnValuesOnConditionCheckFailure string `json:"ReturnValuesOnConditionCheckFailure"`
}

// preparePut turns a Put (PutItem or a transaction entry) into a write.
func (s *Service) preparePut(region string, in *putItemInput) (*write, *apiError) {
	t, err := s.findTable(region, in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkItem(t, in.Item); err != nil {
		return nil, err
	}
	ctx, err := in.context()
	if err != nil {
		return nil, err
	}
	c, err := in.condition(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctx.checkUnused(); err != nil {
		return nil, err
	}
	ro, err := returnOldOnFailure(in.ReturnValuesOnConditionCheckFailure)
	if err != nil {
		return nil, err
	}
	item := in.Item
	return &write{t: t, key: keyOf(t, item), cond: c, returnOld: ro,
		next: func(Item) (Item, *apiError) { return item, nil }}, nil
}

func (s *Service) putItem(region string, in *putItemInput) (any, *apiError) {
	if err := checkReturnValues(in.ReturnValues, "ALL_OLD"); err != nil {
		return nil, err
	}
	w, err := s.preparePut(region, in)
	if err != nil {
		return nil, err
	}
	if err := s.commitOne(w); err != nil {
		return nil, err
	}
	return attributes(in.ReturnValues == "ALL_OLD", w.old), nil
}

func attributes(want bool, it Item) map[string]any {
	if !want || len(it) == 0 {
		return map[string]any{}
	}
	return map[string]any{"Attributes": it}
}

type keyInput struct {
	exprInput
	TableName                           string `json:"TableName"`
	Key                                 Item   `json:"Key"`
	ReturnValues                        string `json:"ReturnValues"`
	ReturnValuesOnConditionCheckFailure string `json:"ReturnValuesOnConditionCheckFailure"`
	UpdateExpression                    string `json:"UpdateExpression"`
	ProjectionExpression                string `json:"ProjectionExpression"`
	ConsistentRead                      bool   `json:"ConsistentRead"`
}

// prepareKeyed turns a Delete, Update or ConditionCheck into a write.
func (s *Service) prepareKeyed(region string, in *keyInput, kind string) (*write, []path, *apiError) {
	t, err := s.findTable(region, in.TableName)
	if err != nil {
		return nil, nil, err
	}
	if err := checkKey(t, in.Key); err != nil {
		return nil, nil, err
	}
	ctx, err := in.context()
	if err != nil {
		return nil, nil, err
	}
	var upd *updateExpr
	if kind == "update" && in.UpdateExpression != "" {
		if upd, err = parse(ctx, "UpdateExpression", in.UpdateExpression, parseUpdate); err != nil {
			return nil, nil, err
		}
		if err := upd.check(t.keyNames()); err != nil {
			return nil, nil, err
		}
	}
	c, err := in.condition(ctx)
	if err != nil {
		return nil, nil, err
	}
	if kind == "check" && c == nil {
		return nil, nil, validation("1 validation error detected: Value null at 'conditionExpression' failed to satisfy constraint: Member must not be null")
	}
	if err := ctx.checkUnused(); err != nil {
		return nil, nil, err
	}
	ro, err := returnOldOnFailure(in.ReturnValuesOnConditionCheckFailure)
	if err != nil {
		return nil, nil, err
	}
	w := &write{t: t, key: in.Key, cond: c, returnOld: ro}
	switch kind {
	case "delete":
		w.next = func(Item) (Item, *apiError) { return nil, nil }
	case "update":
		key := in.Key
		w.next = func(old Item) (Item, *apiError) {
			base := old
			if base == nil {
				base = key
			}
			if upd == nil {
				return base.clone(), nil
			}
			return upd.apply(base)
		}
	}
	var paths []path
	if upd != nil {
		paths = upd.paths()
	}
	return w, paths, nil
}

func (s *Service) getItem(region string, in *keyInput) (any, *apiError) {
	t, err := s.findTable(region, in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkKey(t, in.Key); err != nil {
		return nil, err
	}
	ctx, err := in.context()
	if err != nil {
		return nil, err
	}
	proj, err := projection(ctx, in.ProjectionExpression)
	if err != nil {
		return nil, err
	}
	if err := ctx.checkUnused(); err != nil {
		return nil, err
	}
	it := s.visible(t, in.Key)
	if it == nil {
		return map[string]any{}, nil
	}
	return map[string]any{"Item": applyProjection(it, proj)}, nil
}

func projection(ctx *exprContext, expr string) ([]path, *apiError) {
	if expr == "" {
		return nil, nil
	}
	return parse(ctx, "ProjectionExpression", expr, parseProjection)
}

func applyProjection(it Item, proj []path) Item {
	if proj == nil {
		return it
	}
	return project(it, proj)
}

func (s *Service) deleteItem(region string, in *keyInput) (any, *apiError) {
	if err := checkReturnValues(in.ReturnValues, "ALL_OLD"); err != nil {
		return nil, err
	}
	w, _, err := s.prepareKeyed(region, in, "delete")
	if err != nil {
		return nil, err
	}
	if err := s.commitOne(w); err != nil {
		return nil, err
	}
	return attributes(in.ReturnValues == "ALL_OLD", w.old), nil
}

func (s *Service) updateItem(region string, in *keyInput) (any, *apiError) {
	if err := checkReturnValues(in.ReturnValues, "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"); err != nil {
		return nil, err
	}
	w, paths, err := s.prepareKeyed(region, in, "update")
	if err != nil {
		return nil, err
	}
	if err := s.commitOne(w); err != nil {
		return nil, err
	}
	switch in.ReturnValues {
	case "ALL_OLD":
		return attributes(true, w.old), nil
	case "ALL_NEW":
		return attributes(true, w.after), nil
	case "UPDATED_OLD":
		if w.old == nil {
			return attributes(false, nil), nil
		}
		return attributes(true, project(w.old, paths)), nil
	case "UPDATED_NEW":
		return attributes(true, project(w.after, paths)), nil
	}
	return attributes(false, nil), nil
}
