package storage

import (
	"encoding/json"
	"net/http"
)

// apiError is the JSON API's error.
type apiError struct {
	code        int
	reason, msg string
}

func (e *apiError) Error() string { return e.msg }

func errorOf(code int, reason, msg string) *apiError {
	return &apiError{code: code, reason: reason, msg: msg}
}

func notFoundBucket() *apiError {
	return errorOf(http.StatusNotFound, "notFound", "The specified bucket does not exist.")
}

func notFoundObject(b, o string) *apiError {
	return errorOf(http.StatusNotFound, "notFound", "No such object: "+b+"/"+o)
}

func invalid(msg string) *apiError { return errorOf(http.StatusBadRequest, "invalid", msg) }

func preconditionFailed() *apiError {
	return errorOf(http.StatusPreconditionFailed, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
}

func writeError(w http.ResponseWriter, e *apiError) {
	detail := map[string]any{"message": e.msg, "domain": "global", "reason": e.reason}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": e.code, "message": e.msg, "errors": []any{detail}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
