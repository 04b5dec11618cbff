//go:build !wasip1

package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// A native build (for go vet and unit tests of the utilities' logic) has
// no sandbox host module: what needs one fails saying so.

var errNoHost = errors.New("needs the sandbox's host functions (the utilities run as its WASI module)")

func hostExec(_ string, args, _ []string, _ bool, _ time.Duration) int {
	fmt.Fprintf(os.Stderr, "%s: cannot run outside the sandbox\n", args[0])
	return 127
}

func hostAlive() {}

func hostStat(string, bool) (abi.Stat, error)       { return abi.Stat{}, errNoHost }
func hostChmod(string, uint32) error                { return errNoHost }
func hostChown(string, uint32, uint32, bool) error  { return errNoHost }
func hostSysinfo() []string                         { return nil }
func hostLookPath(string, []string) (string, error) { return "", errNoHost }
