// Package gcpsimtest runs the workspace's GCP simulator, and the real
// Firestore emulator as the reference, for tests of the GCP backends.
// The simulator shares nothing with the functions module but the wire
// formats, so it is built and run as a process, never imported.
package gcpsimtest

import (
	"context"
	"os/exec"
	"testing"
	"time"

	fsdk "cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/functions/testing/proctest"
)

// Project is the project the tests' resources belong to.
const Project = "sockerless-test"

// Simulator builds gcpsim into dir, runs it with a fresh data directory
// until the test ends and returns its address (host:port): Firestore's
// FIRESTORE_EMULATOR_HOST and the metadata server's GCE_METADATA_HOST.
func Simulator(t testing.TB, dir string) string {
	t.Helper()
	bin := proctest.Build(t, dir, "gcpsim", "./simulators/gcp/cmd/gcpsim", nil)
	addr := proctest.FreeAddr(t)
	proctest.Start(t, exec.Command(bin, "--addr", addr, "--data", t.TempDir(), "--project", Project), addr)
	return addr
}

// Firestore is a Firestore client of project on the emulator (or
// simulator) at host, made as an application makes one there: through
// FIRESTORE_EMULATOR_HOST, which the SDK reads when the client is made.
// It is closed when the test ends.
func Firestore(t testing.TB, host, project string) *fsdk.Client {
	t.Helper()
	c, err := newFirestore(host, project)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func newFirestore(host, project string) (*fsdk.Client, error) {
	emulatorHost.Lock()
	defer emulatorHost.Unlock()
	defer setenv("FIRESTORE_EMULATOR_HOST", host)()
	return fsdk.NewClient(context.Background(), project)
}

// answers reports whether a Firestore at host answers a read.
func answers(host string) bool {
	c, err := newFirestore(host, "ready")
	if err != nil {
		return false
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Doc("c/d").Get(ctx)
	return status.Code(err) == codes.NotFound
}
