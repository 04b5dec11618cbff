// Package googlerest serves a gRPC API's methods over REST the way
// Google's front end transcodes them (google.api.http): the resource
// name from the URL path, the other scalar request fields from the query
// (lowerCamel names), the body as protojson into the request or one of
// its fields, the answer as protojson, enums as numbers when the client
// asks ($alt=json;enum-encoding=int, as the Go REST clients do), and
// failures as Google's JSON error ({"error":{"code","message","status"}}).
// Fields and query parameters the API does not define are refused with
// 400 INVALID_ARGUMENT, as Google refuses them.
package googlerest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// Method is one REST binding of a gRPC method.
type Method struct {
	verb    string
	path    *regexp.Regexp // the whole URL path, with its :custom verb
	field   string         // the request field the path's name fills
	body    string         // "": no body; "*": the request; else a field
	newReq  func() proto.Message
	call    func(ctx context.Context, req proto.Message) (proto.Message, error)
	pattern string
}

// Bind binds f to verb and the URL path pattern: a regular expression
// over the escaped path whose first group is the resource name that
// fills the request's field (dotted for a nested field, as "job.name");
// a method without a name in its path has no group and field "".
func Bind[Req, Resp proto.Message](verb, pattern, field, body string, f func(context.Context, Req) (Resp, error)) Method {
	return Method{
		verb: verb, path: regexp.MustCompile("^" + pattern + "$"), field: field, body: body, pattern: pattern,
		newReq: func() proto.Message {
			var zero Req
			return zero.ProtoReflect().Type().New().Interface()
		},
		call: func(ctx context.Context, req proto.Message) (proto.Message, error) { return f(ctx, req.(Req)) },
	}
}

// Matches reports whether any of methods serves r's path.
func Matches(methods []Method, r *http.Request) bool {
	for _, m := range methods {
		if m.path.MatchString(r.URL.EscapedPath()) {
			return true
		}
	}
	return false
}

// Serve answers r with the method bound to its verb and path.
func Serve(methods []Method, w http.ResponseWriter, r *http.Request, body []byte) {
	pathMatched := false
	for _, m := range methods {
		sub := m.path.FindStringSubmatch(r.URL.EscapedPath())
		if sub == nil {
			continue
		}
		pathMatched = true
		if m.verb != r.Method {
			continue
		}
		name := ""
		if len(sub) > 1 {
			name, _ = url.PathUnescape(sub[1])
		}
		req, err := m.decode(r, name, body)
		if err != nil {
			WriteError(w, err)
			return
		}
		resp, err := m.call(r.Context(), req)
		if err != nil {
			WriteError(w, err)
			return
		}
		enumNumbers := strings.Contains(r.URL.Query().Get("$alt"), "enum-encoding=int")
		out, err := protojson.MarshalOptions{UseEnumNumbers: enumNumbers}.Marshal(resp)
		if err != nil {
			WriteError(w, status.Error(codes.Internal, err.Error()))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Write(out)
		return
	}
	if pathMatched {
		WriteError(w, status.Errorf(codes.Unimplemented, "Method %s is not supported on %s.", r.Method, r.URL.Path))
		return
	}
	WriteError(w, status.Errorf(codes.NotFound, "The requested URL %s was not found on this server.", r.URL.Path))
}

// systemParams are the query parameters every Google API takes.
var systemParams = map[string]bool{"$alt": true, "alt": true, "key": true, "prettyPrint": true, "fields": true,
	"quotaUser": true, "access_token": true, "callback": true, "upload_protocol": true, "uploadType": true, "$fields": true}

func (m Method) decode(r *http.Request, name string, body []byte) (proto.Message, error) {
	req := m.newReq()
	if m.body != "" && len(strings.TrimSpace(string(body))) > 0 {
		target := req
		if m.body != "*" {
			fd := req.ProtoReflect().Descriptor().Fields().ByName(protoreflect.Name(m.body))
			target = req.ProtoReflect().Mutable(fd).Message().Interface()
		}
		if err := protojson.Unmarshal(body, target); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "Invalid JSON payload received. %v", err)
		}
	}
	for k, vs := range r.URL.Query() {
		if systemParams[k] {
			continue
		}
		if err := setQuery(req.ProtoReflect(), k, vs); err != nil {
			return nil, err
		}
	}
	if m.field == "" {
		return req, nil
	}
	// The path's name wins over any in the body, as in Google's transcoding.
	msg := req.ProtoReflect()
	parts := strings.Split(m.field, ".")
	for _, p := range parts[:len(parts)-1] {
		msg = msg.Mutable(msg.Descriptor().Fields().ByName(protoreflect.Name(p))).Message()
	}
	msg.Set(msg.Descriptor().Fields().ByName(protoreflect.Name(parts[len(parts)-1])), protoreflect.ValueOfString(name))
	return req, nil
}

// setQuery sets the request's top-level scalar field, or appends to its
// repeated scalar field, called (in lowerCamel) name from a query
// parameter.
func setQuery(msg protoreflect.Message, name string, values []string) error {
	// A dotted name sets a field of a message field (options.requestedPolicyVersion).
	if parent, rest, ok := strings.Cut(name, "."); ok {
		fd := msg.Descriptor().Fields().ByJSONName(parent)
		if fd == nil || fd.IsList() || fd.IsMap() || fd.Message() == nil {
			return status.Errorf(codes.InvalidArgument, "Invalid JSON payload received. Unknown name %q: Cannot bind query parameter.", name)
		}
		return setQuery(msg.Mutable(fd).Message(), rest, values)
	}
	fd := msg.Descriptor().Fields().ByJSONName(name)
	if fd == nil {
		fd = msg.Descriptor().Fields().ByName(protoreflect.Name(name))
	}
	if fd != nil && fd.Message() != nil && fd.Message().FullName() == "google.protobuf.FieldMask" {
		return setMask(msg, fd, values)
	}
	if fd == nil || fd.IsMap() || fd.Message() != nil {
		return status.Errorf(codes.InvalidArgument, "Invalid JSON payload received. Unknown name %q: Cannot bind query parameter.", name)
	}
	if !fd.IsList() {
		v, err := scalar(fd, name, values[len(values)-1])
		if err == nil {
			msg.Set(fd, v)
		}
		return err
	}
	list := msg.Mutable(fd).List()
	for _, s := range values {
		v, err := scalar(fd, name, s)
		if err != nil {
			return err
		}
		list.Append(v)
	}
	return nil
}

// setMask sets a FieldMask field (updateMask=description,dockerConfig)
// from its JSON form: comma-separated lowerCamel paths.
func setMask(msg protoreflect.Message, fd protoreflect.FieldDescriptor, values []string) error {
	var paths []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				paths = append(paths, snake(p))
			}
		}
	}
	mask := &fieldmaskpb.FieldMask{Paths: paths}
	msg.Set(fd, protoreflect.ValueOfMessage(mask.ProtoReflect()))
	return nil
}

// snake is a lowerCamel field path in snake_case, as FieldMask keeps it.
func snake(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// scalar parses a query parameter's value for field fd.
func scalar(fd protoreflect.FieldDescriptor, name, value string) (protoreflect.Value, error) {
	var v protoreflect.Value
	var err error
	switch fd.Kind() {
	case protoreflect.StringKind:
		v = protoreflect.ValueOfString(value)
	case protoreflect.BoolKind:
		var b bool
		b, err = strconv.ParseBool(value)
		v = protoreflect.ValueOfBool(b)
	case protoreflect.Int32Kind:
		var n int64
		n, err = strconv.ParseInt(value, 10, 32)
		v = protoreflect.ValueOfInt32(int32(n))
	case protoreflect.Int64Kind:
		var n int64
		n, err = strconv.ParseInt(value, 10, 64)
		v = protoreflect.ValueOfInt64(n)
	case protoreflect.EnumKind:
		ev := fd.Enum().Values().ByName(protoreflect.Name(value))
		if ev == nil {
			var n int64
			if n, err = strconv.ParseInt(value, 10, 32); err == nil {
				ev = fd.Enum().Values().ByNumber(protoreflect.EnumNumber(n))
			}
		}
		if ev == nil {
			return v, status.Errorf(codes.InvalidArgument, "Invalid value at %q (%s): %q", name, fd.Enum().FullName(), value)
		}
		v = protoreflect.ValueOfEnum(ev.Number())
	default:
		return v, status.Errorf(codes.InvalidArgument, "Invalid value at %q: cannot bind a query parameter of this type", name)
	}
	if err != nil {
		return v, status.Errorf(codes.InvalidArgument, "Invalid value at %q (%s): %q", name, fd.Kind(), value)
	}
	return v, nil
}

// httpStatus is the HTTP status Google's front end gives each code.
var httpStatus = map[codes.Code]int{
	codes.OK: 200, codes.Canceled: 499, codes.Unknown: 500, codes.InvalidArgument: 400, codes.DeadlineExceeded: 504,
	codes.NotFound: 404, codes.AlreadyExists: 409, codes.PermissionDenied: 403, codes.ResourceExhausted: 429,
	codes.FailedPrecondition: 400, codes.Aborted: 409, codes.OutOfRange: 400, codes.Unimplemented: 501,
	codes.Internal: 500, codes.Unavailable: 503, codes.DataLoss: 500, codes.Unauthenticated: 401,
}

// canonical is the status name Google's JSON errors carry for each code.
func canonical(c codes.Code) string {
	if c == codes.Canceled {
		return "CANCELLED"
	}
	return strings.ToUpper(regexp.MustCompile(`([a-z])([A-Z])`).ReplaceAllString(c.String(), "${1}_${2}"))
}

// WriteJSON answers with v as JSON, for the methods not bound to a proto.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(v)
}

// WriteError answers with err as Google's JSON error.
func WriteError(w http.ResponseWriter, err error) {
	st := status.Convert(err)
	code := httpStatus[st.Code()]
	if code == 0 {
		code = 500
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": st.Message(), "status": canonical(st.Code()),
	}})
}
