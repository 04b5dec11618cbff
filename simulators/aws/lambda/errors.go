package lambda

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/sockerless/sockerless/simulators/kit/apierr"
)

// apiError is an error as Lambda's REST-JSON protocol returns it: the code
// in the X-Amzn-ErrorType header and a {"Type","Message"} body, which the
// SDK turns into its typed errors (types.ResourceNotFoundException, ...).
type apiError = apierr.Error

func notFound(arn string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "ResourceNotFoundException", Message: "Function not found: " + arn}
}

func conflict(format string, a ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Code: "ResourceConflictException", Message: fmt.Sprintf(format, a...)}
}

func invalidParam(format string, a ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "InvalidParameterValueException", Message: fmt.Sprintf(format, a...)}
}

// validation is the constraint failure AWS's front end reports before the
// request reaches Lambda itself.
func validation(value any, field, constraint string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "ValidationException", Message: fmt.Sprintf("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)}
}

// WriteError sends an error in Lambda's shape; the server uses it for
// signature failures, which it checks before Lambda sees the request.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	writeErr(w, &apiError{Status: status, Code: code, Message: message})
}

// writeErr sends err; errors that are not *apiError are the simulator's own
// failures and become ServiceException 500.
func writeErr(w http.ResponseWriter, err error) {
	ae, ok := err.(*apiError)
	if !ok {
		ae = &apiError{Status: http.StatusInternalServerError, Code: "ServiceException", Message: err.Error()}
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
