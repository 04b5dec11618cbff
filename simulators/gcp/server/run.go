package server

import (
	"path/filepath"

	"github.com/sockerless/sockerless/simulators/gcp/run"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// openRun builds Cloud Run: images come from Artifact Registry or a
// loopback registry (pull), output
// goes to Cloud Logging, unpacked images and task layers live under
// DataDir/run (a temporary directory without DataDir).
func (s *Server) openRun(b service.Base) error {
	o := run.Options{Base: b, Pull: s.pull, Logs: s.logging}
	if s.cfg.DataDir != "" {
		o.Dir = filepath.Join(s.cfg.DataDir, "run")
	}
	r, err := run.New(o)
	if err != nil {
		return err
	}
	s.run = r
	r.Register(s.grpc)
	return nil
}
