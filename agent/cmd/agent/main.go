// Command agent wraps a workload's entrypoint: it runs the command line
// it is given as the container's main process and dials home to the
// edge (SOCKERLESS_EDGE_URL) as container SOCKERLESS_CONTAINER_ID with
// SOCKERLESS_TOKEN. Main's output also goes to the agent's own stdout
// and stderr, which the platform's log driver collects. The agent exits
// with main's exit code once the edge has recorded it.
//
// Optional: SOCKERLESS_STDIN=1 keeps main's stdin open for attached
// writers (docker run -i); SOCKERLESS_TTY=1 gives main a terminal.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/osproc"
	"github.com/sockerless/sockerless/agent/proto"
)

func main() {
	cfg := agent.Config{
		EdgeURL:     os.Getenv("SOCKERLESS_EDGE_URL"),
		ContainerID: os.Getenv("SOCKERLESS_CONTAINER_ID"),
		Token:       os.Getenv("SOCKERLESS_TOKEN"),
		Main: proto.ProcessSpec{
			Args:  os.Args[1:],
			Stdin: envBool("SOCKERLESS_STDIN"),
			TTY:   envBool("SOCKERLESS_TTY"),
		},
		Runtime: osproc.Runtime{},
		Logs:    stdLogs{},
	}
	if len(cfg.Main.Args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: agent command [arg...]")
		os.Exit(2)
	}
	// The platform stops a workload with SIGTERM; ending ctx kills main
	// and gives up on reporting.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	code, err := agent.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sockerless agent:", err)
		os.Exit(1)
	}
	stop()
	os.Exit(code)
}

func envBool(name string) bool {
	v, _ := strconv.ParseBool(os.Getenv(name))
	return v
}

// stdLogs writes main's output to the agent's own streams.
type stdLogs struct{}

func (stdLogs) Log(stream int, p []byte) {
	if stream == 2 {
		_, _ = os.Stderr.Write(p)
		return
	}
	_, _ = os.Stdout.Write(p)
}
