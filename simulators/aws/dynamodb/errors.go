package dynamodb

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// The __type prefixes DynamoDB uses: service faults carry the API's own
// namespace, input validation the coral validator's.
const (
	nsDynamo   = "com.amazonaws.dynamodb.v20120810#"
	nsValidate = "com.amazon.coral.validate#"
	nsCoral    = "com.amazon.coral.service#"
)

// apiError is an error DynamoDB returns to clients, with its JSON shape.
type apiError struct {
	Type    string
	Message string
	Status  int
	// Item is returned with ConditionalCheckFailedException when the
	// caller asked for ReturnValuesOnConditionCheckFailure=ALL_OLD.
	Item    Item
	Reasons []cancellationReason
}

type cancellationReason struct {
	Code    string `json:"Code"`
	Message string `json:"Message,omitempty"`
	Item    Item   `json:"Item,omitempty"`
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

// Response renders e as DynamoDB does: the message only when there is
// one, and the condition-check Item and CancellationReasons beside it.
func (e *apiError) Response() (int, []byte) {
	body := map[string]any{"__type": e.Type}
	if e.Message != "" {
		body["message"] = e.Message
	}
	if e.Item != nil {
		body["Item"] = e.Item
	}
	if e.Reasons != nil {
		// DynamoDB spells this one "Message", and the SDK reads reasons
		// from CancellationReasons.
		delete(body, "message")
		body["Message"] = e.Message
		body["CancellationReasons"] = e.Reasons
	}
	b, _ := json.Marshal(body)
	return e.Status, b
}

func validation(format string, args ...any) *apiError {
	return &apiError{Type: nsValidate + "ValidationException", Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{Type: nsDynamo + "ResourceNotFoundException", Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

func inUse(format string, args ...any) *apiError {
	return &apiError{Type: nsDynamo + "ResourceInUseException", Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

func conditionFailed(old Item) *apiError {
	return &apiError{Type: nsDynamo + "ConditionalCheckFailedException", Message: "The conditional request failed", Status: http.StatusBadRequest, Item: old}
}

func serialization(msg string) *apiError {
	return &apiError{Type: nsCoral + "SerializationException", Message: msg, Status: http.StatusBadRequest}
}

func internal(err error) *apiError {
	return &apiError{Type: nsDynamo + "InternalServerError", Message: err.Error(), Status: http.StatusInternalServerError}
}

func tableNotFound(name string) *apiError {
	return notFound("Requested resource not found: Table: %s not found", name)
}

// missingTable is what item operations say about an absent table.
func missingTable() *apiError {
	return notFound("Requested resource not found")
}
