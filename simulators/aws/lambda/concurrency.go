package lambda

import (
	"net/http"
	"strings"
)

// ReservedPathPrefix is where PutFunctionConcurrency and
// DeleteFunctionConcurrency live (GetFunctionConcurrency is under
// ConcurrencyPathPrefix).
const ReservedPathPrefix = "/2017-10-31/functions/"

// Reserved concurrency caps how many instances of a function serve at
// once. Lambda throttles an invocation over the cap (429); the
// simulator's instances are few, so, as over MaxInstances, an
// invocation over the cap waits for an instance to come free. A cap of
// 0 throttles every invocation, as Lambda does.

// serveReserved is PutFunctionConcurrency (PUT) and
// DeleteFunctionConcurrency (DELETE); it reports whether p was one.
func (s *Service) serveReserved(w http.ResponseWriter, r *http.Request, region string, body []byte) bool {
	name, ok := sideName(r.URL.EscapedPath(), ReservedPathPrefix, "/concurrency")
	if !ok {
		return false
	}
	switch r.Method {
	case http.MethodPut:
		var in struct {
			ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
		}
		if !decode(w, body, &in) {
			return true
		}
		n := in.ReservedConcurrentExecutions
		if n == nil || *n < 0 {
			writeErr(w, validation("null", "reservedConcurrentExecutions", "Member must have value greater than or equal to 0"))
			return true
		}
		s.reply(w, http.StatusOK, func() (any, error) {
			return map[string]int{"ReservedConcurrentExecutions": *n}, s.reserve(region, name, n)
		})
	case http.MethodDelete:
		s.noContent(w, s.reserve(region, name, nil))
	default:
		return false
	}
	return true
}

// reserve sets (or, with nil, removes) the function's reserved
// concurrency.
func (s *Service) reserve(region, name string, n *int) error {
	return s.retag(region, name, func(f *function) error {
		f.Reserved = n
		return nil
	})
}

// instanceCap is how many instances of f may serve at once.
func (s *Service) instanceCap(f *function) int {
	if f.Reserved != nil && *f.Reserved < s.opts.MaxInstances {
		return *f.Reserved
	}
	return s.opts.MaxInstances
}

// throttled is Lambda's answer to an invocation over a reserved
// concurrency of 0.
func throttled() *apiError {
	return &apiError{Status: http.StatusTooManyRequests, Code: "TooManyRequestsException", Message: "Rate Exceeded."}
}

func isReservedPath(p string) bool { return strings.HasPrefix(p, ReservedPathPrefix) }
