package dynamo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sockerless/sockerless/functions/state"
)

// decode turns an item into a record and says whether it is live at
// now. A nil item is not live.
func decode(item map[string]types.AttributeValue, now time.Time) (state.Record, bool, error) {
	if len(item) == 0 {
		return state.Record{}, false, nil
	}
	var r state.Record
	sk, ok := item[attrSK].(*types.AttributeValueMemberS)
	if !ok {
		return r, false, fmt.Errorf("dynamo: item without a string %s", attrSK)
	}
	r.Key = sk.Value
	ver, err := num(item, attrVersion)
	if err != nil || ver < 1 {
		return r, false, fmt.Errorf("dynamo: item %q: bad %s (%d): %v", r.Key, attrVersion, ver, err)
	}
	r.Version = ver
	if _, has := item[attrExp]; has {
		ms, err := num(item, attrExp)
		if err != nil {
			return r, false, fmt.Errorf("dynamo: item %q: %w", r.Key, err)
		}
		r.Expires = time.UnixMilli(ms)
		if !now.Before(r.Expires) {
			return state.Record{}, false, nil
		}
	}
	r.Value = []byte{}
	if v, has := item[attrValue]; has {
		b, ok := v.(*types.AttributeValueMemberB)
		if !ok {
			return r, false, fmt.Errorf("dynamo: item %q: %s is not binary", r.Key, attrValue)
		}
		// The SDK's buffer is ours alone, but copy anyway so no caller
		// can alias a decoded response.
		r.Value = append([]byte{}, b.Value...)
	}
	return r, true, nil
}

func num(item map[string]types.AttributeValue, name string) (int64, error) {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("attribute %s is not a number", name)
	}
	return strconv.ParseInt(n.Value, 10, 64)
}
