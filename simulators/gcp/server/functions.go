package server

import (
	"path/filepath"

	"github.com/sockerless/sockerless/simulators/gcp/functions"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// openFunctions builds Cloud Run functions: sources are uploaded to the
// simulated Cloud Storage through URLs on this simulator, builds live
// under DataDir/functions (a temporary directory without DataDir), output
// goes to Cloud Logging.
func (s *Server) openFunctions(b service.Base) error {
	o := functions.Options{Base: b, Storage: s.storage, URL: s.URL, Logs: s.logging}
	if s.cfg.DataDir != "" {
		o.Dir = filepath.Join(s.cfg.DataDir, "functions")
	}
	f, err := functions.New(o)
	if err != nil {
		return err
	}
	s.functions = f
	f.Register(s.grpc)
	return nil
}
