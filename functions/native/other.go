//go:build !linux

package native

import (
	"context"
	"errors"
	"log/slog"

	"github.com/sockerless/sockerless/functions/local"
)

// Config configures a Driver.
type Config struct {
	Dir, AgentURL, AgentBinary string
	Log                        *slog.Logger
}

// Driver is the native runtime, which needs Linux.
type Driver struct{ *local.Driver }

var errNotLinux = errors.New("the native runtime needs Linux (namespaces, cgroups, overlayfs): use --runtime sandbox")

// Supported says the native runtime cannot run here.
func Supported() error { return errNotLinux }

// New fails: the native runtime needs Linux.
func New(context.Context, Config) (*Driver, error) { return nil, errNotLinux }

// Warm does nothing: no Driver exists off Linux.
func (d *Driver) Warm() error { return errNotLinux }
