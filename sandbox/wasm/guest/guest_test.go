package guest_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/sockerless/sockerless/sandbox/wasm/guest"
)

// TestNativeRefuses: outside the WASI module there is no host to ask,
// and both calls say so. (sandbox/wasm's hostnet_test.go runs them
// inside the module.)
func TestNativeRefuses(t *testing.T) {
	if runtime.GOOS == "wasip1" {
		t.Skip("inside the module")
	}
	if _, err := guest.Dial(context.Background(), "tcp", "127.0.0.1:80"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Dial: %v", err)
	}
	if _, err := guest.Listen("tcp", "127.0.0.1:0"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Listen: %v", err)
	}
	if _, err := guest.Dial(context.Background(), "udp", "127.0.0.1:80"); err == nil {
		t.Error("Dial udp: no error")
	}
}
