// Command sockerless-edge is the Docker API in front of a deployed
// control-plane function: each Docker call is one call through the
// transport chosen with --transport (lambda, a synchronous AWS Lambda
// Invoke, the default; gcp, a POST to a Cloud Run function's URL with an
// ID token); attach, exec, logs -f and
// the other streams are carried out here, with the agents of the
// workloads dialling this process's agent listener.
//
//	sockerless-edge --function sockerless-ecs --region eu-west-1 \
//	    --agent-listen 0.0.0.0:9443 --allow-remote --agent-url wss://edge.example.com:9443/agent/v1/connect
//
// For lambda, AWS credentials and AWS_ENDPOINT_URL (the simulator) come
// from the SDK's usual environment and files. For gcp, --function is the
// function's URL and ID tokens come from Application Default Credentials
// (GCE_METADATA_HOST names the simulator's metadata server).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/agent/buildinfo"
	"github.com/sockerless/sockerless/edge/calllog"
	"github.com/sockerless/sockerless/edge/gateway"
	"github.com/sockerless/sockerless/functions/call/calltrace"
)

// options are what the flags say.
type options struct {
	gateway     gateway.Options
	function    string
	region      string
	agentListen string
	transport   transport
}

func main() {
	if buildinfo.VersionCommand("sockerless-edge", os.Args) {
		return
	}
	opt, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opt); err != nil {
		fmt.Fprintln(os.Stderr, "sockerless-edge:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line. A usage error is written to output,
// as the flag package writes its own, and returned.
func parseFlags(args []string, output io.Writer) (options, error) {
	var opt options
	fs := flag.NewFlagSet("sockerless-edge", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&opt.function, "function", "", "the control-plane function (for lambda a name or ARN, for gcp its URL), the Terraform module's `functions` output")
	transport := fs.String("transport", "", "how calls reach the function: lambda (AWS Lambda Invoke; the default) or gcp (a Cloud Run function's URL, with an ID token)")
	fs.StringVar(&opt.region, "region", "", "the function's region (default: the cloud SDK's, for lambda from AWS_REGION or the profile)")
	fs.StringVar(&opt.gateway.Socket, "socket", defaultSocket(), "unix socket for the Docker API")
	fs.StringVar(&opt.gateway.TCP, "tcp", "", "also listen on this TCP address (loopback only unless --allow-remote)")
	fs.BoolVar(&opt.gateway.AllowRemote, "allow-remote", false, "permit non-loopback --tcp, --agent-listen and --metrics-addr addresses (no TLS: put a TLS proxy in front)")
	fs.StringVar(&opt.gateway.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9323; loopback only unless --allow-remote; default off)")
	fs.StringVar(&opt.agentListen, "agent-listen", "127.0.0.1:0", "where workloads' agents connect")
	fs.StringVar(&opt.gateway.AgentURL, "agent-url", "", "the agent listener as workloads reach it (default: ws://<agent-listen>/agent/v1/connect)")
	fs.Func("bind-root", "share this directory's files with containers as bind-mount copies (repeatable; default: your home and the working directory)", func(dir string) error {
		opt.gateway.BindRoots = append(opt.gateway.BindRoots, dir)
		return nil
	})
	debug := fs.Bool("debug", false, "log every invocation, agent session and stream besides each request")
	logFormat := fs.String("log-format", calllog.FormatText, "log lines as text or json")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	usage := func(err error) (options, error) {
		fmt.Fprintln(output, "sockerless-edge:", err)
		return options{}, err
	}
	if fs.NArg() > 0 {
		return usage(fmt.Errorf("unexpected arguments %q: every setting is a flag (see -h)", fs.Args()))
	}
	if opt.function == "" {
		return usage(errors.New("--function is required (the Terraform module's `functions` output names it)"))
	}
	var err error
	if opt.transport, err = chooseTransport(*transport); err != nil {
		return usage(err)
	}
	if opt.gateway.Log, err = calllog.NewLogger(os.Stderr, *logFormat, *debug); err != nil {
		return usage(err)
	}
	opt.gateway.SendAgentURL, opt.gateway.Version = true, "sockerless-edge"
	return opt, nil
}

func run(ctx context.Context, o options) error {
	h, err := o.transport.dial(ctx, o.function, o.region)
	if err != nil {
		return err
	}
	opt := o.gateway
	tracer, stopTracing, err := calltrace.Start(ctx, "sockerless-edge", false)
	if err != nil {
		return err
	}
	defer stopTracing(context.Background())
	opt.Tracer = tracer
	ln, url, err := gateway.AgentListener(o.agentListen, opt.AllowRemote)
	if err != nil {
		return err
	}
	opt.AgentListener = ln
	if opt.AgentURL == "" {
		opt.AgentURL = url
	}
	gw, err := gateway.Start(h, opt)
	if err != nil {
		return err
	}
	fmt.Printf("export DOCKER_HOST=%s\n", gw.DockerHost)
	fmt.Printf("# function %s over %s; agents dial %s\n", o.function, o.transport.name, gw.AgentURL)
	if gw.MetricsURL != "" {
		fmt.Printf("# metrics at %s\n", gw.MetricsURL)
	}
	shared := strings.Join(gw.BindRoots, ", ")
	if shared == "" {
		shared = "nowhere"
	}
	fmt.Printf("# bind mounts are copied from %s (--bind-root)\n", shared)
	select {
	case <-ctx.Done():
	case err = <-gw.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if cerr := gw.Close(shutdown); err == nil {
		err = cerr
	}
	return err
}

// defaultSocket is $XDG_RUNTIME_DIR/sockerless-edge.sock, else under .run.
func defaultSocket() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "sockerless-edge.sock")
	}
	return filepath.Join(".run", "sockerless-edge.sock")
}
