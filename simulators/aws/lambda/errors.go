package lambda

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error as Lambda's REST-JSON protocol returns it: the code
// in the X-Amzn-ErrorType header and a {"Type","Message"} body, which the
// SDK turns into its typed errors (types.ResourceNotFoundException, ...).
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func notFound(arn string) *apiError {
	return &apiError{http.StatusNotFound, "ResourceNotFoundException", "Function not found: " + arn}
}

func conflict(format string, a ...any) *apiError {
	return &apiError{http.StatusConflict, "ResourceConflictException", fmt.Sprintf(format, a...)}
}

func invalidParam(format string, a ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValueException", fmt.Sprintf(format, a...)}
}

// validation is the constraint failure AWS's front end reports before the
// request reaches Lambda itself.
func validation(value any, field, constraint string) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException",
		fmt.Sprintf("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)}
}

// WriteError sends an error in Lambda's shape; the server uses it for
// signature failures, which it checks before Lambda sees the request.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	writeErr(w, &apiError{status, code, message})
}

// writeErr sends err; errors that are not *apiError are the simulator's own
// failures and become ServiceException 500.
func writeErr(w http.ResponseWriter, err error) {
	ae, ok := err.(*apiError)
	if !ok {
		ae = &apiError{http.StatusInternalServerError, "ServiceException", err.Error()}
	}
	typ := "User"
	if ae.Status >= 500 {
		typ = "Service"
	}
	b, _ := json.Marshal(map[string]string{"Type": typ, "Message": ae.Message})
	w.Header().Set("X-Amzn-Errortype", ae.Code)
	writeBody(w, ae.Status, b)
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
