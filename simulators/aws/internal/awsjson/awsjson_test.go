package awsjson

import (
	"encoding/json"
	"math"
	"net/http"
	"testing"
)

// counter is a small service: it adds to a total and fails as told.
type counter struct{ total int }

// positive refuses non-positive numbers while decoding, the way
// DynamoDB's AttributeValue validates itself.
type positive int

func (p *positive) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	if n <= 0 {
		return BadRequest("ValidationException", "must be positive")
	}
	*p = positive(n)
	return nil
}

type addIn struct {
	N positive `json:"n"`
}

type addOut struct {
	Total int `json:"total"`
}

func (c *counter) add(region string, in *addIn) (addOut, *Error) {
	if region != "eu-west-1" {
		return addOut{}, BadRequest("WrongRegion", region)
	}
	c.total += int(in.N)
	return addOut{c.total}, nil
}

func (c *counter) get(string, *struct{}) (addOut, *Error) { return addOut{c.total}, nil }

func (c *counter) nan(string, *struct{}) (float64, *Error) { return math.NaN(), nil }

// loud is a service error type with its own body, like DynamoDB's.
type loud struct{ typ string }

func (e *loud) Error() string { return e.typ }
func (e *loud) Response() (int, []byte) {
	return http.StatusTeapot, []byte(`{"__type":"` + e.typ + `!"}`)
}

func (c *counter) shout(string, *struct{}) (any, *loud) { return nil, &loud{"Shout"} }

var ops = map[string]Handler[counter]{
	"Add":   Op((*counter).add),
	"Get":   Op((*counter).get),
	"NaN":   Op((*counter).nan),
	"Shout": Op((*counter).shout),
}

func internal(err error) Fault {
	return &Error{Type: "ServerException", Message: "encode", Status: http.StatusInternalServerError}
}

func TestServe(t *testing.T) {
	json11 := &API[counter]{Ops: ops, Internal: internal}
	json10 := &API[counter]{
		Ops:         ops,
		RequireBody: true,
		Unknown:     func(string) Fault { return &loud{"Unknown"} },
		Malformed:   func(err error) Fault { return &loud{"Malformed"} },
		Internal:    internal,
	}
	tests := []struct {
		name       string
		api        *API[counter]
		region, op string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"runs the operation", json11, "eu-west-1", "Add", `{"n":2}`, 200, `{"total":3}`},
		{"empty body reads as {} in JSON 1.1", json11, "eu-west-1", "Get", ``, 200, `{"total":1}`},
		{"empty body is malformed when required", json10, "eu-west-1", "Get", ``, 418, `{"__type":"Malformed!"}`},
		{"unknown operation", json11, "eu-west-1", "Nope", `{}`, 400, `{"__type":"UnknownOperationException","message":"Unknown operation Nope"}`},
		{"unknown operation, service's own", json10, "eu-west-1", "Nope", `{}`, 418, `{"__type":"Unknown!"}`},
		{"malformed JSON", json11, "eu-west-1", "Add", `{"n":`, 400, `{"__type":"SerializationException","message":"unexpected end of JSON input"}`},
		{"wrong JSON type", json11, "eu-west-1", "Add", `{"n":"x"}`, 400, `{"__type":"SerializationException","message":"json: cannot unmarshal string into Go struct field addIn.n of type int"}`},
		{"fault raised while decoding passes through", json10, "eu-west-1", "Add", `{"n":-1}`, 400, `{"__type":"ValidationException","message":"must be positive"}`},
		{"operation error", json11, "us-east-1", "Add", `{"n":1}`, 400, `{"__type":"WrongRegion","message":"us-east-1"}`},
		{"operation error of the service's own type", json11, "eu-west-1", "Shout", `{}`, 418, `{"__type":"Shout!"}`},
		{"unencodable output", json11, "eu-west-1", "NaN", `{}`, 500, `{"__type":"ServerException","message":"encode"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &counter{total: 1}
			status, body := tc.api.Serve(c, tc.region, tc.op, []byte(tc.body))
			if status != tc.wantStatus || string(body) != tc.wantBody {
				t.Fatalf("got %d %s, want %d %s", status, body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}

func TestErrorBodyKeepsEmptyMessage(t *testing.T) {
	status, body := (&Error{Type: "T", Status: 400}).Response()
	if status != 400 || string(body) != `{"__type":"T","message":""}` {
		t.Fatalf("got %d %s", status, body)
	}
}
