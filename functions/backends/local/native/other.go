//go:build !linux || !cgo

package native

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/sockerless/sockerless/functions/backends/local"
)

// Config configures a Driver.
type Config struct {
	Dir, AgentURL, AgentBinary string
	Log                        *slog.Logger
}

// Driver is the native runtime, which needs Linux and a binary built
// with cgo (libcontainer's nsexec is C).
type Driver struct{ *local.Driver }

var errUnsupported = errors.New("the native runtime needs Linux (namespaces, cgroups, overlayfs) and a sockerless built with cgo")

// Supported says the native runtime cannot run here.
func Supported() error { return errUnsupported }

// Rootless is false: no container runs here.
func Rootless() bool { return false }

// New fails: the native runtime cannot run here.
func New(context.Context, Config) (*Driver, error) {
	return nil, fmt.Errorf("%w: use --runtime sandbox", errUnsupported)
}

// Warm does nothing: no Driver exists here.
func (d *Driver) Warm() error { return errUnsupported }
