package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// TestMotoDiff runs the conformance scenario against this simulator and
// against moto_server side by side and reports, per step, where the two
// answers differ in error code, response shape or item values. The report
// is informational (t.Log; run with -v): each difference is a question of
// which side AWS's documentation supports, noted in motoNotes.
func TestMotoDiff(t *testing.T) {
	if testing.Short() {
		t.Skip("differential run skipped in -short mode")
	}
	motoURL, err := startMoto(t)
	if err != nil {
		t.Skipf("moto diff skipped: moto_server cannot start: %v", err)
	}
	// moto's fixed account id, so ARNs and GetCallerIdentity compare.
	ours := newClients(t, startServer(t, Config{AccountID: "123456789012"}).URL(), "test", "test")
	moto := newClients(t, motoURL, "test", "test")
	ctx := context.Background()
	passed, failed := 0, 0
	for _, st := range scenario() {
		a := summarize(st.run(ctx, ours))
		b := summarize(st.run(ctx, moto))
		diffs := a.diff(b)
		if len(diffs) == 0 {
			passed++
			continue
		}
		failed++
		note := motoNotes[st.name]
		if note != "" {
			note = " — " + note
		}
		t.Logf("moto diff %s: %s%s", st.name, strings.Join(diffs, "; "), note)
	}
	t.Logf("moto diff: %d passed, %d failed", passed, failed)
}

// motoNotes records, for steps known to differ, which side AWS's
// documentation supports.
var motoNotes = map[string]string{
	"ListTables":         "AWS lists table names in sorted order; moto in creation order",
	"ListTables/paged":   "follows from the ordering above",
	"GetItem":            "AWS documents that leading and trailing zeroes of numbers are trimmed (Number data type); ours matches, moto keeps \"11.50\"",
	"DeleteItem/ALL_OLD": "same number normalisation as GetItem",
	"GetItem/wrong key":  "AWS rejects a key whose type differs from the schema (ValidationException: The provided key element does not match the schema); moto accepts it",
	"UpdateItem/conditional ADD DELETE REMOVE":            "moto also returns ConsumedCapacity unasked (AWS returns it only with ReturnConsumedCapacity); for a REMOVEd nested path moto's UPDATED_NEW keeps the emptied parent map, ours omits the removed path — AWS's documentation does not settle it",
	"UpdateItem/exact decimal arithmetic":                 "AWS numbers carry 38 significant digits; moto rounds 5 - 1E-30 to 5",
	"UpdateItem/undefined name":                           "moto answers HTTP 500 (an internal error); AWS answers ValidationException",
	"Query/OR":                                            "moto answers HTTP 500; AWS answers ValidationException: Invalid operator used in KeyConditionExpression: OR",
	"UpdateItem/SET arithmetic if_not_exists list_append": consumedCapacityNote,
	"UpdateItem/UPDATED_OLD":                              consumedCapacityNote,
	"UpdateItem/upsert ALL_OLD":                           consumedCapacityNote,
	"BatchGetItem":                                        consumedCapacityNote,
	"BatchWriteItem":                                      consumedCapacityNote,
	"BatchWriteItem/delete":                               consumedCapacityNote,
	"TransactWriteItems":                                  consumedCapacityNote,
}

// consumedCapacityNote: AWS's API reference returns ConsumedCapacity only
// when ReturnConsumedCapacity is TOTAL or INDEXES, and ItemCollectionMetrics
// only with ReturnItemCollectionMetrics=SIZE; moto always returns them.
const consumedCapacityNote = "moto returns ConsumedCapacity/ItemCollectionMetrics unasked; AWS's API reference returns them only when requested (ours)"

func startMoto(t *testing.T) (string, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(bin, "-p", port, "-H", "127.0.0.1")
	if err := cmd.Start(); err != nil {
		return "", err
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	url := "http://127.0.0.1:" + port
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url + "/moto-api/"); err == nil {
			resp.Body.Close()
			return url, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("no answer on %s within 30s", url)
}

// outcome is the comparable summary of one SDK call.
type outcome struct {
	code   string
	msg    string
	shape  []string
	values map[string]string
}

// compared are output fields whose values must agree; the rest (ids,
// timestamps, ARNs) only need to be present on both sides.
var compared = map[string]bool{
	"Item": true, "Items": true, "Attributes": true, "Count": true, "ScannedCount": true,
	"LastEvaluatedKey": true, "TableNames": true, "LastEvaluatedTableName": true, "Responses": true,
	"UnprocessedItems": true, "UnprocessedKeys": true, "Account": true, "TimeToLiveDescription": true,
}

func summarize(out any, err error) outcome {
	o := outcome{code: errorCode(err), values: map[string]string{}}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		o.msg = ae.ErrorMessage()
	}
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		var codes []string
		for _, r := range tc.CancellationReasons {
			codes = append(codes, fmt.Sprint(deref(r.Code)))
		}
		o.code += "[" + strings.Join(codes, ",") + "]"
	}
	if err != nil {
		return o
	}
	v := reflect.ValueOf(out)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		o.values["result"] = fmt.Sprint(toPlain(v))
		return o
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" || v.Field(i).IsZero() {
			continue
		}
		o.shape = append(o.shape, f.Name)
		if compared[f.Name] {
			o.values[f.Name] = fmt.Sprint(toPlain(v.Field(i)))
		}
	}
	sort.Strings(o.shape)
	return o
}

func (a outcome) diff(b outcome) []string {
	var out []string
	if a.code != b.code {
		out = append(out, fmt.Sprintf("error ours=%q (%s) moto=%q (%s)", a.code, a.msg, b.code, b.msg))
	}
	if x, y := strings.Join(a.shape, ","), strings.Join(b.shape, ","); x != y {
		out = append(out, fmt.Sprintf("fields ours=[%s] moto=[%s]", x, y))
	}
	keys := map[string]bool{}
	for k := range a.values {
		keys[k] = true
	}
	for k := range b.values {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if a.values[k] != b.values[k] && a.values[k] != "" && b.values[k] != "" {
			out = append(out, fmt.Sprintf("%s ours=%s moto=%s", k, a.values[k], b.values[k]))
		}
	}
	return out
}

var attributeValueType = reflect.TypeOf((*types.AttributeValue)(nil)).Elem()

// toPlain renders SDK output values as plain Go data whose fmt form is
// stable (fmt sorts map keys).
func toPlain(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type().Implements(attributeValueType) && !(v.Kind() == reflect.Interface && v.IsNil()) {
		return plain(v.Interface().(types.AttributeValue))
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return toPlain(v.Elem())
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = toPlain(v.MapIndex(k))
		}
		return out
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = toPlain(v.Index(i))
		}
		return out
	case reflect.Struct:
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				out[v.Type().Field(i).Name] = toPlain(v.Field(i))
			}
		}
		return out
	}
	return v.Interface()
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
