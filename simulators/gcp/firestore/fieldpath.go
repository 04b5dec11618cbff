package firestore

import (
	"strings"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
)

// nameField is the field path of a document's name in queries.
const nameField = "__name__"

// parseFieldPath splits a field path ("a.b", "`x.y`.z") into its
// segments: dot-separated, a segment that is not a simple name quoted in
// backticks with \` and \\ escapes.
func parseFieldPath(p string) ([]string, error) {
	var segs []string
	for i := 0; ; {
		var seg strings.Builder
		if i < len(p) && p[i] == '`' {
			i++
			closed := false
			for i < len(p) {
				c := p[i]
				if c == '\\' && i+1 < len(p) {
					seg.WriteByte(p[i+1])
					i += 2
					continue
				}
				i++
				if c == '`' {
					closed = true
					break
				}
				seg.WriteByte(c)
			}
			if !closed {
				return nil, errorf(codes.InvalidArgument, "Invalid property path %q: unterminated backtick", p)
			}
		} else {
			j := strings.IndexByte(p[i:], '.')
			if j < 0 {
				j = len(p) - i
			}
			seg.WriteString(p[i : i+j])
			i += j
		}
		if seg.Len() == 0 {
			return nil, errorf(codes.InvalidArgument, "Invalid property path %q: empty segment", p)
		}
		segs = append(segs, seg.String())
		if i == len(p) {
			return segs, nil
		}
		if p[i] != '.' {
			return nil, errorf(codes.InvalidArgument, "Invalid property path %q", p)
		}
		i++
	}
}

// getField finds the value at segs in fields; ok is false when any
// segment is missing or not a map.
func getField(fields map[string]*pb.Value, segs []string) (*pb.Value, bool) {
	for i, s := range segs {
		v, ok := fields[s]
		if !ok {
			return nil, false
		}
		if i == len(segs)-1 {
			return v, true
		}
		m, isMap := v.GetValueType().(*pb.Value_MapValue)
		if !isMap {
			return nil, false
		}
		fields = m.MapValue.GetFields()
	}
	return nil, false
}

// setField puts v at segs, creating maps on the way and replacing values
// that are not maps.
func setField(fields map[string]*pb.Value, segs []string, v *pb.Value) {
	for _, s := range segs[:len(segs)-1] {
		m, isMap := fields[s].GetValueType().(*pb.Value_MapValue)
		if !isMap {
			m = &pb.Value_MapValue{MapValue: &pb.MapValue{}}
			fields[s] = &pb.Value{ValueType: m}
		}
		if m.MapValue.Fields == nil {
			m.MapValue.Fields = map[string]*pb.Value{}
		}
		fields = m.MapValue.Fields
	}
	fields[segs[len(segs)-1]] = v
}

// deleteField removes the value at segs; a missing path is no change.
func deleteField(fields map[string]*pb.Value, segs []string) {
	for _, s := range segs[:len(segs)-1] {
		m, isMap := fields[s].GetValueType().(*pb.Value_MapValue)
		if !isMap {
			return
		}
		fields = m.MapValue.GetFields()
	}
	delete(fields, segs[len(segs)-1])
}

// project keeps only the fields at paths (a DocumentMask); nil paths keep
// every field.
func project(fields map[string]*pb.Value, paths []string) (map[string]*pb.Value, error) {
	if paths == nil {
		return fields, nil
	}
	out := map[string]*pb.Value{}
	for _, p := range paths {
		segs, err := parseFieldPath(p)
		if err != nil {
			return nil, err
		}
		if v, ok := getField(fields, segs); ok {
			setField(out, segs, v)
		}
	}
	return out, nil
}
