package run

import (
	"regexp"

	"google.golang.org/protobuf/proto"

	"github.com/sockerless/sockerless/simulators/gcp/internal/pages"
)

// getOne is a copy of the resource find finds by name, once name has the
// form re (form) says.
func getOne[M proto.Message](s *Service, re *regexp.Regexp, name, form string, find func(st *state, name string) (M, error)) (M, error) {
	var out M
	if _, err := checkName(re, name, form); err != nil {
		return out, err
	}
	err := s.locked(func(st *state) error {
		r, err := find(st, name)
		if err == nil {
			out = proto.Clone(r).(M)
		}
		return err
	})
	return out, err
}

// listUnder pages copies of the resources of a kind (of) directly under
// parent, a location.
func listUnder[M proto.Message](s *Service, parent string, size int32, token string, of func(st *state) map[string]M) ([]M, string, error) {
	if _, err := checkName(parentRE, parent, parentForm); err != nil {
		return nil, "", err
	}
	var out []M
	var next string
	err := s.locked(func(st *state) error {
		var err error
		out, next, err = pages.Clones(of(st), childOf(parent), size, token)
		return err
	})
	return out, next, err
}
