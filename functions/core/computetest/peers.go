package computetest

import "testing"

// peersOnLoopback starts a workload with peers: on the host's network,
// its /etc/hosts gives each of them loopback, so a client in it reaches
// a service by its network alias as through Docker's embedded DNS.
func (s *suite) peersOnLoopback(t *testing.T) {
	// Shell builtins only: the test image need have no text tools.
	w := s.workload(`for name in pingsvc db-1; do
  found=
  while read ip names; do
    case " $names " in *" $name "*) [ "$ip" = 127.0.0.1 ] && found=1 ;; esac
  done < /etc/hosts
  [ -n "$found" ] || { echo "no 127.0.0.1 line for $name in /etc/hosts:"; cat /etc/hosts; exit 1; }
done`)
	s.create(t, w)
	// Core knows the peers at the start (they may start after the
	// create), so the driver must use the start's.
	w.Peers = []string{"db-1", "pingsvc"}
	if err := s.Compute.Start(t.Context(), w); err != nil {
		t.Fatalf("Start: %v", err)
	}
	s.wantExit(t, w.ID, 0)
}
