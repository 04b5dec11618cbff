package server

import (
	"net/http"
	"path/filepath"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/efs"
	"github.com/sockerless/sockerless/simulators/aws/sigv4"
)

func isEFSPath(r *http.Request, _ []byte) bool {
	return strings.HasPrefix(r.URL.Path, efs.PathPrefix)
}

// openEFS builds EFS: resources in the state file, each file system's
// data under DataDir/efs (a temporary directory without DataDir). ECS
// tasks and Lambda functions mount its access points.
func (s *Server) openEFS() error {
	o := efs.Options{Base: s.base()}
	if s.cfg.DataDir != "" {
		o.Dir = filepath.Join(s.cfg.DataDir, "efs")
	}
	e, err := efs.New(o)
	if err != nil {
		return err
	}
	s.efs = e
	return nil
}

func (s *Server) closeEFS() error {
	if s.efs == nil {
		return nil
	}
	return s.efs.Close()
}

// EFS exposes the EFS service.
func (s *Server) EFS() *efs.Service { return s.efs }

func (s *Server) serveEFS(w http.ResponseWriter, r *http.Request, body []byte) {
	scope, err := s.verifier.Verify(r, body)
	if err != nil {
		code, msg := sigv4.JSONCodes.Of(err)
		efs.WriteError(w, http.StatusForbidden, code, msg)
		return
	}
	s.efs.Handle(w, r, scope.Region, body)
}

// mountEFS is how ECS tasks and Lambda functions reach EFS: the same
// directories, whichever workload mounts them.
func (s *Server) mountEFS(region, fileSystemID, accessPointID, rootDirectory string) (string, error) {
	return s.efs.Resolve(efs.Mount{Region: region, FileSystemID: fileSystemID, AccessPointID: accessPointID, RootDirectory: rootDirectory})
}
