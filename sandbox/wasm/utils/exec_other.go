//go:build !wasip1

package main

import (
	"fmt"
	"os"
)

// hostRun needs the sandbox's host function; a native build has none.
func hostRun(args []string, _ bool) int {
	fmt.Fprintf(os.Stderr, "%s: cannot run outside the sandbox\n", args[0])
	return 127
}
