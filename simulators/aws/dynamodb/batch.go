package dynamodb

import (
	"net/http"
	"strings"
)

type batchGetInput struct {
	RequestItems map[string]struct {
		Keys                     []Item            `json:"Keys"`
		ProjectionExpression     string            `json:"ProjectionExpression"`
		ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames"`
		ConsistentRead           bool              `json:"ConsistentRead"`
	} `json:"RequestItems"`
}

func (s *Service) batchGetItem(region string, in *batchGetInput) (any, *apiError) {
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null")
	}
	total := 0
	for _, r := range in.RequestItems {
		total += len(r.Keys)
	}
	if total > 100 {
		return nil, validation("Too many items requested for the BatchGetItem call")
	}
	responses := map[string][]Item{}
	for name, r := range in.RequestItems {
		t, err := s.findTable(region, name)
		if err != nil {
			return nil, err
		}
		ctx := newExprContext(r.ExpressionAttributeNames, nil)
		proj, err := projection(ctx, r.ProjectionExpression)
		if err != nil {
			return nil, err
		}
		if err := ctx.checkUnused(); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		items := []Item{}
		for _, k := range r.Keys {
			if err := checkKey(t, k); err != nil {
				return nil, err
			}
			hk, rk := t.locate(k)
			if seen[hk+"\x00"+rk] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[hk+"\x00"+rk] = true
			if it := s.visible(t, k); it != nil {
				items = append(items, applyProjection(it, proj))
			}
		}
		responses[name] = items
	}
	return map[string]any{"Responses": responses, "UnprocessedKeys": map[string]any{}}, nil
}

type batchWriteInput struct {
	RequestItems map[string][]struct {
		PutRequest *struct {
			Item Item `json:"Item"`
		} `json:"PutRequest"`
		DeleteRequest *struct {
			Key Item `json:"Key"`
		} `json:"DeleteRequest"`
	} `json:"RequestItems"`
}

// batchWriteItem applies every request in one store transaction: DynamoDB
// only promises each write is atomic, so doing all of them at once is
// within its contract and never leaves UnprocessedItems.
func (s *Service) batchWriteItem(region string, in *batchWriteInput) (any, *apiError) {
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null")
	}
	total := 0
	for _, reqs := range in.RequestItems {
		total += len(reqs)
	}
	if total > 25 {
		return nil, validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
	}
	var changes []change
	for name, reqs := range in.RequestItems {
		t, err := s.findTable(region, name)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, r := range reqs {
			var c change
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				if err := checkItem(t, r.PutRequest.Item); err != nil {
					return nil, err
				}
				c = change{t: t, key: keyOf(t, r.PutRequest.Item), item: r.PutRequest.Item}
			case r.DeleteRequest != nil && r.PutRequest == nil:
				if err := checkKey(t, r.DeleteRequest.Key); err != nil {
					return nil, err
				}
				c = change{t: t, key: r.DeleteRequest.Key}
			default:
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			hk, rk := t.locate(c.key)
			if seen[hk+"\x00"+rk] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[hk+"\x00"+rk] = true
			changes = append(changes, c)
		}
	}
	if err := s.St.commit(changes); err != nil {
		return nil, internal(err)
	}
	return map[string]any{"UnprocessedItems": map[string]any{}}, nil
}

type transactInput struct {
	TransactItems []struct {
		ConditionCheck *keyInput     `json:"ConditionCheck"`
		Put            *putItemInput `json:"Put"`
		Delete         *keyInput     `json:"Delete"`
		Update         *keyInput     `json:"Update"`
	} `json:"TransactItems"`
	ClientRequestToken string `json:"ClientRequestToken"`
}

// transactWriteItems checks every condition first and writes nothing
// unless all hold; the store commits the writes in one transaction.
func (s *Service) transactWriteItems(region string, in *transactInput) (any, *apiError) {
	if n := len(in.TransactItems); n == 0 || n > 100 {
		return nil, validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
	}
	var writes []*write
	seen := map[string]bool{}
	for _, ti := range in.TransactItems {
		var w *write
		var err *apiError
		n := 0
		if ti.ConditionCheck != nil {
			n++
			w, _, err = s.prepareKeyed(region, ti.ConditionCheck, "check")
		}
		if ti.Put != nil {
			n++
			w, err = s.preparePut(region, ti.Put)
		}
		if ti.Delete != nil {
			n++
			w, _, err = s.prepareKeyed(region, ti.Delete, "delete")
		}
		if ti.Update != nil {
			n++
			if ti.Update.UpdateExpression == "" {
				return nil, validation("1 validation error detected: Value null at 'transactItems.member.update.updateExpression' failed to satisfy constraint: Member must not be null")
			}
			w, _, err = s.prepareKeyed(region, ti.Update, "update")
		}
		if n != 1 {
			return nil, validation("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		if err != nil {
			return nil, err
		}
		hk, rk := w.t.locate(w.key)
		id := w.t.meta.id() + "\x00" + hk + "\x00" + rk
		if seen[id] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
		writes = append(writes, w)
	}
	reasons := make([]cancellationReason, len(writes))
	failed := false
	var changes []change
	for i, w := range writes {
		reasons[i] = cancellationReason{Code: "None"}
		if err := s.evaluate(w); err != nil {
			failed = true
			reasons[i] = reasonFor(err)
			continue
		}
		if w.next != nil {
			changes = append(changes, change{t: w.t, key: w.key, item: w.after})
		}
	}
	if failed {
		codes := make([]string, len(reasons))
		for i, r := range reasons {
			codes[i] = r.Code
		}
		return nil, &apiError{
			Type:    nsDynamo + "TransactionCanceledException",
			Message: "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]",
			Status:  http.StatusBadRequest,
			Reasons: reasons,
		}
	}
	if err := s.St.commit(changes); err != nil {
		return nil, internal(err)
	}
	return map[string]any{}, nil
}

func reasonFor(err *apiError) cancellationReason {
	if strings.HasSuffix(err.Type, "#ConditionalCheckFailedException") {
		return cancellationReason{Code: "ConditionalCheckFailed", Message: err.Message, Item: err.Item}
	}
	return cancellationReason{Code: "ValidationError", Message: err.Message}
}
