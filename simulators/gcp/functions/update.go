package functions

import (
	"strings"

	functionspb "cloud.google.com/go/functions/apiv2/functionspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// updatable are the fields (mask paths' first segments) an update may
// change.
var updatable = map[string]bool{"description": true, "labels": true, "build_config": true, "service_config": true,
	"event_trigger": true, "kms_key_name": true}

// applyMask copies into f the fields of in that paths name (dotted, as
// build_config.source), or every updatable field when paths is empty;
// a path the API does not define or allow to change is refused.
func applyMask(f, in *functionspb.Function, paths []string) error {
	if len(paths) == 0 {
		for p := range updatable {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		if !updatable[strings.SplitN(p, ".", 2)[0]] {
			return errorf(codes.InvalidArgument, "Invalid update_mask path %q: only %s can be updated", p, "description, labels, build_config, service_config, event_trigger and kms_key_name")
		}
		dst, src := f.ProtoReflect(), in.ProtoReflect()
		parts := strings.Split(p, ".")
		for i, name := range parts {
			fd := dst.Descriptor().Fields().ByName(protoreflect.Name(name))
			if fd == nil {
				return errorf(codes.InvalidArgument, "Invalid update_mask path %q: %s has no field %q", p, dst.Descriptor().Name(), name)
			}
			if i == len(parts)-1 {
				if src.Has(fd) {
					dst.Set(fd, src.Get(fd))
				} else {
					dst.Clear(fd)
				}
				break
			}
			if fd.Message() == nil || fd.IsList() || fd.IsMap() {
				return errorf(codes.InvalidArgument, "Invalid update_mask path %q: %q is not a message", p, name)
			}
			// An unset message of in reads as empty: its leaf is cleared.
			dst, src = dst.Mutable(fd).Message(), src.Get(fd).Message()
		}
	}
	return nil
}
