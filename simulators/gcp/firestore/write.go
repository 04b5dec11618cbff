package firestore

import (
	"time"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// batch applies writes on top of the stored documents without changing
// them: what it changed is kept apart until the caller saves and
// publishes it, so a failing write leaves nothing behind.
type batch struct {
	s       *state
	changed map[string]*pb.Document // nil value: deleted
}

func newBatch(s *state) *batch { return &batch{s: s, changed: map[string]*pb.Document{}} }

func (b *batch) get(name string) *pb.Document {
	if d, ok := b.changed[name]; ok {
		return d
	}
	return b.s.docs[name]
}

// publish makes the changes the stored state, after save succeeded.
func (b *batch) publish() {
	for name, d := range b.changed {
		if d == nil {
			delete(b.s.docs, name)
		} else {
			b.s.docs[name] = d
		}
	}
}

// commit saves and publishes the changes.
func (b *batch) commit() error {
	if len(b.changed) == 0 {
		return nil
	}
	if err := b.s.save(b.changed); err != nil {
		return errorf(codes.Internal, "saving the commit: %v", err)
	}
	b.publish()
	return nil
}

// writeName is the name of the document w writes ("" for no operation).
func writeName(w *pb.Write) string {
	switch op := w.GetOperation().(type) {
	case *pb.Write_Update:
		return op.Update.GetName()
	case *pb.Write_Delete:
		return op.Delete
	case *pb.Write_Transform:
		return op.Transform.GetDocument()
	}
	return ""
}

// checkWrite validates w on its own, before anything is applied.
func checkWrite(w *pb.Write, database string) error {
	switch w.GetOperation().(type) {
	case nil:
		return errorf(codes.InvalidArgument, "empty write operation")
	case *pb.Write_Delete:
		if w.UpdateMask != nil || len(w.UpdateTransforms) > 0 {
			return errorf(codes.InvalidArgument, "A delete cannot have an update mask or transforms.")
		}
	}
	name := writeName(w)
	if err := checkDocName(name); err != nil {
		return err
	}
	if !inDatabase(name, database) {
		return errorf(codes.InvalidArgument, "Document %q is not in database %q", name, database)
	}
	for _, p := range w.GetUpdateMask().GetFieldPaths() {
		if _, err := parseFieldPath(p); err != nil {
			return err
		}
	}
	for _, ft := range transformsOf(w) {
		if err := checkTransform(ft); err != nil {
			return err
		}
	}
	if t := w.GetCurrentDocument().GetUpdateTime(); t != nil && t.GetNanos()%1000 != 0 {
		return errorf(codes.InvalidArgument, "timestamp cannot have more than microseconds precision")
	}
	return nil
}

func transformsOf(w *pb.Write) []*pb.DocumentTransform_FieldTransform {
	if t, ok := w.GetOperation().(*pb.Write_Transform); ok {
		return t.Transform.GetFieldTransforms()
	}
	return w.UpdateTransforms
}

// apply applies one checked write at commit time at and returns its result.
func (b *batch) apply(w *pb.Write, at time.Time) (*pb.WriteResult, error) {
	name := writeName(w)
	cur := b.get(name)
	if err := checkPrecondition(w.CurrentDocument, cur, name); err != nil {
		return nil, err
	}
	if _, ok := w.GetOperation().(*pb.Write_Delete); ok {
		if cur != nil {
			b.changed[name] = nil
		}
		return &pb.WriteResult{}, nil
	}
	fields := updatedFields(w, cur)
	res := &pb.WriteResult{}
	for _, ft := range transformsOf(w) {
		segs, _ := parseFieldPath(ft.FieldPath)
		old, _ := getField(fields, segs)
		v, result := transform(ft, old, at)
		setField(fields, segs, v)
		res.TransformResults = append(res.TransformResults, result)
	}
	if cur != nil && proto.Equal(&pb.MapValue{Fields: fields}, &pb.MapValue{Fields: cur.Fields}) {
		// A write that changes nothing keeps the document's update time.
		res.UpdateTime = cur.UpdateTime
		return res, nil
	}
	ts := timestamppb.New(at)
	d := &pb.Document{Name: name, Fields: fields, CreateTime: ts, UpdateTime: ts}
	if cur != nil {
		d.CreateTime = cur.CreateTime
	}
	b.changed[name] = d
	res.UpdateTime = ts
	return res, nil
}

// updatedFields is the document's fields after an update's mask is
// applied (a copy: stored documents are never changed in place). Without
// a mask the update replaces every field; with one, only the masked
// paths change, and a masked path the update leaves out is deleted.
func updatedFields(w *pb.Write, cur *pb.Document) map[string]*pb.Value {
	upd := w.GetUpdate()
	if upd != nil && w.UpdateMask == nil {
		return cloneFields(upd.Fields)
	}
	fields := cloneFields(cur.GetFields())
	for _, p := range w.GetUpdateMask().GetFieldPaths() {
		segs, _ := parseFieldPath(p)
		if v, ok := getField(upd.GetFields(), segs); ok {
			setField(fields, segs, proto.Clone(v).(*pb.Value))
		} else {
			deleteField(fields, segs)
		}
	}
	return fields
}

func cloneFields(f map[string]*pb.Value) map[string]*pb.Value {
	out := make(map[string]*pb.Value, len(f))
	for k, v := range f {
		out[k] = proto.Clone(v).(*pb.Value)
	}
	return out
}

// checkPrecondition checks p against the document as it is (nil: missing).
func checkPrecondition(p *pb.Precondition, cur *pb.Document, name string) error {
	switch c := p.GetConditionType().(type) {
	case *pb.Precondition_Exists:
		if c.Exists && cur == nil {
			return errorf(codes.NotFound, "No document to update: %s", name)
		}
		if !c.Exists && cur != nil {
			return errorf(codes.AlreadyExists, "Document already exists: %s", name)
		}
	case *pb.Precondition_UpdateTime:
		// Versions are update times in microseconds; a missing document's
		// is 0.
		var stored int64
		if cur != nil {
			stored = cur.UpdateTime.AsTime().UnixMicro()
		}
		if want := c.UpdateTime.AsTime().UnixMicro(); stored != want {
			return errorf(codes.FailedPrecondition, "the stored version (%d) does not match the required base version (%d)", stored, want)
		}
	}
	return nil
}
