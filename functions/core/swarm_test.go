package core_test

import (
	"net/http"
	"testing"

	"github.com/sockerless/sockerless/functions/call"
)

// Swarm-mode endpoints answer as a dockerd outside a swarm: 503 with its
// message, which clients (docker-py's leave_swarm(force=True)) take for
// "no swarm here".
func TestSwarmAnswersAsNoSwarm(t *testing.T) {
	h := newHarness(t)
	manager := `This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.`
	for _, tc := range []struct {
		name string
		r    req
		msg  string
	}{
		{"inspect", req{op: call.OpSwarm}, "This node is not part of a swarm"},
		{"leave", req{op: call.OpSwarm, vars: map[string]string{"action": "leave"}}, "This node is not part of a swarm"},
		{"init", req{op: call.OpSwarm, vars: map[string]string{"action": "init"}}, "swarm mode is not supported by sockerless: this node cannot init or join a swarm"},
		{"services", req{op: call.OpSwarmManager}, manager},
		{"a node", req{op: call.OpSwarmManager, vars: map[string]string{"rest": "abc"}}, manager},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, h.do(t, tc.r), http.StatusServiceUnavailable, tc.msg)
		})
	}
}
