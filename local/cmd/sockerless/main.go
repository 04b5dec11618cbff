// Command sockerless runs local mode: the Docker Engine API on a unix
// socket, served by the edge and the local function, with containers in
// Linux namespaces (the native runtime) where this process can make them,
// else in the sandbox (--runtime auto, the default), or on the runtime
// --runtime names: sandbox, native, or engine (a Docker Engine).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/sockerless/sockerless/agent/buildinfo"
	"github.com/sockerless/sockerless/edge/calllog"
	"github.com/sockerless/sockerless/functions/call/calltrace"
	"github.com/sockerless/sockerless/local/localmode"
	"github.com/sockerless/sockerless/sandbox"
)

func main() {
	if buildinfo.VersionCommand("sockerless", os.Args) {
		return
	}
	var opt localmode.Options
	flag.StringVar(&opt.Socket, "socket", defaultSocket(), "unix socket for the Docker API")
	flag.StringVar(&opt.TCP, "tcp", "", "also listen on this TCP address (loopback only unless --allow-remote)")
	flag.BoolVar(&opt.AllowRemote, "allow-remote", false, "permit a non-loopback --tcp or --metrics-addr address (no TLS: trusted networks only)")
	flag.StringVar(&opt.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9323; loopback only unless --allow-remote; default off)")
	flag.StringVar(&opt.DataDir, "data", defaultData(), "directory for state, images, containers and volumes")
	flag.StringVar(&opt.Runtime, "runtime", localmode.RuntimeAuto, "where containers run: auto (native where it can run, else sandbox), sandbox (no engine needed), native (real binaries in Linux namespaces; as root, or rootless in user namespaces) or engine (a Docker Engine)")
	flag.StringVar(&opt.EngineHost, "engine-host", "unix:///var/run/docker.sock", "the Docker Engine the engine runtime uses")
	flag.StringVar(&opt.EngineAgent, "engine-agent", "", "static agent binary for engine and native containers (default: the one embedded in this binary)")
	debug := flag.Bool("debug", false, "log every invocation, agent session and stream besides each request")
	logFormat := flag.String("log-format", calllog.FormatText, "log lines as text or json")
	prime := flag.Bool("prime-wasm", false, "compile the sandbox's WASI utilities into the on-disk cache, then exit")
	flag.Parse()
	if *prime {
		if err := sandbox.Warm(); err != nil {
			fmt.Fprintln(os.Stderr, "sockerless:", err)
			os.Exit(1)
		}
		return
	}
	opt.WarmUp = primeInChild

	log, err := calllog.NewLogger(os.Stderr, *logFormat, *debug)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sockerless:", err)
		os.Exit(2)
	}
	opt.Log = log

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	tracer, stopTracing, err := calltrace.Start(ctx, "sockerless", false)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sockerless: tracing:", err)
		os.Exit(1)
	}
	defer stopTracing(context.Background())
	opt.Tracer = tracer
	inst, err := localmode.Start(ctx, opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sockerless:", err)
		os.Exit(1)
	}
	fmt.Printf("export DOCKER_HOST=%s\n", inst.DockerHost)
	fmt.Printf("# containers run on the %s runtime%s\n", inst.Runtime, because(inst.RuntimeWhy))
	if opt.TCP != "" {
		fmt.Printf("# also serving tcp://%s\n", opt.TCP)
	}
	if inst.MetricsURL != "" {
		fmt.Printf("# metrics at %s\n", inst.MetricsURL)
	}
	select {
	case <-ctx.Done():
	case err := <-inst.Done():
		if err != nil {
			fmt.Fprintln(os.Stderr, "sockerless:", err)
		}
	}
	if err := inst.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "sockerless: shutdown:", err)
		os.Exit(1)
	}
}

// primeInChild compiles the WASI utilities in a short-lived child, so
// the first container finds them in the disk cache and this process
// stays small while idle.
func primeInChild() {
	self, err := os.Executable()
	if err != nil {
		return
	}
	cmd := exec.Command(self, "--prime-wasm")
	cmd.Stderr = os.Stderr
	_ = cmd.Run() // a failure is reported by the child and again at first use
}

// defaultSocket follows the issue: $XDG_RUNTIME_DIR, else .run/ here.
func defaultSocket() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "sockerless.sock")
	}
	return filepath.Join(".run", "sockerless.sock")
}

func defaultData() string {
	return filepath.Join(".run", "data")
}

// because is the startup line's reason for the runtime, "" when the
// user named it.
func because(why string) string {
	if why == "" {
		return ""
	}
	return " (" + why + ")"
}
