package apierr

import (
	"errors"
	"testing"
)

// TestErrorIsAnErrorWithItsCode proves an Error travels as an error and
// comes back out with its status, code and formatted message.
func TestErrorIsAnErrorWithItsCode(t *testing.T) {
	var err error = New(404, "NoSuchEntity", "The role with name %s cannot be found.", "app")
	var e *Error
	if !errors.As(err, &e) || e.Status != 404 || e.Code != "NoSuchEntity" || e.Message != "The role with name app cannot be found." {
		t.Fatalf("got %#v", err)
	}
	if got := err.Error(); got != "NoSuchEntity: The role with name app cannot be found." {
		t.Fatalf("Error() = %q", got)
	}
}
