// Command gcpsim serves the simulated GCP APIs on one loopback port.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/sockerless/sockerless/agent/buildinfo"
	"github.com/sockerless/sockerless/agent/sandboxrt"
	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/simulators/gcp/server"
)

func main() {
	if buildinfo.VersionCommand("gcpsim", os.Args) {
		return
	}
	addr := flag.String("addr", envOr("GCPSIM_ADDR", server.DefaultAddr), "listen address (loopback unless --allow-non-loopback); env GCPSIM_ADDR")
	allow := flag.Bool("allow-non-loopback", false, "allow listening on a non-loopback address")
	data := flag.String("data", os.Getenv("GCPSIM_DATA"), "directory for persistent state (empty: memory only); env GCPSIM_DATA")
	project := flag.String("project", envOr("GCPSIM_PROJECT", server.DefaultProject), "project resources belong to; env GCPSIM_PROJECT")
	flag.Parse()
	// Cloud Run tasks run in the sandbox, which cannot execute native
	// binaries such as the agent sockerless's backends put in every
	// workload: the sandbox recognises the agent by agent.Marker and runs
	// the agent code linked into this simulator in its place, in the same
	// container, as awssim does.
	sandbox.RegisterNative(sandboxrt.Native)

	srv, err := server.New(server.Config{Addr: *addr, AllowNonLoopback: *allow, DataDir: *data, ProjectID: *project})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		srv.Close()
		log.Fatal(err)
	}
	fmt.Println("gcpsim listening on", srv.URL())
	fmt.Printf("export FIRESTORE_EMULATOR_HOST=%s GCE_METADATA_HOST=%s STORAGE_EMULATOR_HOST=%s\n", srv.Addr(), srv.Addr(), srv.Addr())
	fmt.Printf("# gRPC clients (Cloud Run, Logging, IAM, Artifact Registry): option.WithEndpoint(%q), no TLS, no credentials\n", srv.Addr())
	fmt.Printf("# REST clients: option.WithEndpoint(%q)\n", srv.URL()+"/")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	if err := srv.Close(); err != nil {
		log.Fatal(err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
