package call

// RequestIDHeader carries the id of the Docker API request a call serves
// (or of the call itself, when the edge makes it on an agent's behalf):
// every call one request causes carries the same id, so the function's
// log lines join the edge's.
const RequestIDHeader = "X-Sockerless-Request-Id"

// TraceParentHeader carries the W3C trace context of the edge's span for
// the call, so the function's spans join the edge's trace.
const TraceParentHeader = "Traceparent"
