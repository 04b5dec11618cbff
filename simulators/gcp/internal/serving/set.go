package serving

import "sync"

// Set is a service's endpoints by workload name. Its owner calls its
// methods under its own lock; closing happens in the background, and
// Wait waits for it.
type Set struct {
	m  map[string]*Endpoint
	wg sync.WaitGroup
}

// Open is name's endpoint, opened with start if it has none.
func (s *Set) Open(name string, start Start) (*Endpoint, error) {
	if ep := s.m[name]; ep != nil {
		return ep, nil
	}
	ep, err := Listen(start)
	if err != nil {
		return nil, err
	}
	if s.m == nil {
		s.m = map[string]*Endpoint{}
	}
	s.m[name] = ep
	return ep, nil
}

// Get is name's endpoint, nil if it has none.
func (s *Set) Get(name string) *Endpoint { return s.m[name] }

// Close closes name's endpoint, if it has one, in the background: its
// instance may take a moment to end.
func (s *Set) Close(name string) {
	if ep := s.m[name]; ep != nil {
		delete(s.m, name)
		s.wg.Go(ep.Close)
	}
}

// CloseAll closes every endpoint in the background.
func (s *Set) CloseAll() {
	for name := range s.m {
		s.Close(name)
	}
}

// Wait waits until the endpoints closed so far have closed.
func (s *Set) Wait() { s.wg.Wait() }
