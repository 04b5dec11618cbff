// Command awssim serves the simulated AWS APIs on one loopback port.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sockerless/sockerless/agent/buildinfo"
	"github.com/sockerless/sockerless/agent/sandboxrt"
	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/simulators/aws/internal/account"
	"github.com/sockerless/sockerless/simulators/aws/server"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

func main() {
	if buildinfo.VersionCommand("awssim", os.Args) {
		return
	}
	addr := flag.String("addr", envOr("AWSSIM_ADDR", server.DefaultAddr), "listen address (loopback unless --allow-non-loopback); env AWSSIM_ADDR")
	allow := flag.Bool("allow-non-loopback", false, "allow listening on a non-loopback address")
	data := flag.String("data", os.Getenv("AWSSIM_DATA"), "directory for persistent state (empty: memory only); env AWSSIM_DATA")
	account := flag.String("account", envOr("AWSSIM_ACCOUNT", account.Default), "account id in ARNs; env AWSSIM_ACCOUNT")
	runtime := flag.String("runtime", envOr("AWSSIM_RUNTIME", taskrun.RuntimeAuto), "what runs ECS tasks' containers and Lambda image functions: auto (native where it can run, else sandbox), native (real binaries in Linux namespaces; root) or sandbox; env AWSSIM_RUNTIME")
	creds := flag.String("credentials", envOr("AWSSIM_CREDENTIALS", "test:test"), "comma-separated accessKey:secret pairs accepted for SigV4; env AWSSIM_CREDENTIALS")
	flag.Parse()
	registerNatives()

	secrets, err := parseCredentials(*creds)
	if err != nil {
		log.Fatal(err)
	}
	srv, err := server.New(server.Config{Addr: *addr, AllowNonLoopback: *allow, DataDir: *data, AccountID: *account, Credentials: secrets, Runtime: *runtime})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		srv.Close()
		log.Fatal(err)
	}
	fmt.Println("awssim listening on", srv.URL())
	fmt.Println("# ECS tasks and Lambda image functions run on the", srv.Runtime(), "runtime")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	if err := srv.Close(); err != nil {
		log.Fatal(err)
	}
}

// registerNatives lets the sandbox run sockerless's own agent. ECS tasks
// (and Lambda image functions whose entrypoint is the agent) run in the
// sandbox, which cannot execute native binaries such as the agent that
// sockerless's backends put in every workload; the sandbox recognises
// the agent's executable by agent.Marker and runs the agent code linked
// into this simulator in its place, in the same container, so the
// user's commands still run in the sandbox over the image's files.
func registerNatives() {
	sandbox.RegisterNative(sandboxrt.Native)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func parseCredentials(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("awssim: credential %q is not accessKey:secret", pair)
		}
		out[k] = v
	}
	return out, nil
}
