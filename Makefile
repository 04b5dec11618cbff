# Sockerless: the Docker Engine API on serverless capacity.
# `make run` starts local mode; `make test` runs the test suite.

SHELL   := /bin/bash
GO      ?= go
# e2e/clients/testcontainers is a module of its own (testcontainers-go's
# dependencies stay out of e2e's); it runs with the end-to-end suite.
MODULES := agent edge functions sandbox local simulators e2e e2e/clients/testcontainers
PKGS    := $(addprefix ./,$(addsuffix /...,$(MODULES)))
E2E     := $(filter ./e2e/%,$(PKGS))
BIN     ?= .run/bin/sockerless
ARGS    ?=

# Release builds: -trimpath (so the embedded agent and WASI module are
# used, never the sources), stamped with their identity. sockerless links
# the C library for the native runtime (runc's libcontainer); the agent it
# embeds and the other binaries are static.
GOARCH  ?= $(shell $(GO) env GOARCH)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
BUILDINFO := github.com/sockerless/sockerless/agent/buildinfo
LDFLAGS := -s -w -X $(BUILDINFO).version=$(VERSION) -X $(BUILDINFO).commit=$(COMMIT) -X $(BUILDINFO).date=$(DATE)
RELEASE := $(GO) build -trimpath -ldflags "$(LDFLAGS)"
AGENT_PREBUILT := agent/agentbin/prebuilt
WASM_PREBUILT  := sandbox/wasm/prebuilt/utils.wasm

# FUZZTIME is an execution count, not a duration: with a duration, Go's fuzz
# coordinator can report its own deadline as a failure (golang/go#75804).
FUZZTIME ?= 10000x
# FUZZ lists the fuzz targets (package:Target), one per parser of outside input.
FUZZ := ./functions/core:FuzzCall ./functions/core/dockerfile:FuzzParse ./edge/server:FuzzRequest \
	./simulators/aws/server:FuzzJSONServices ./simulators/aws/server:FuzzLambdaAPI \
	./sandbox/unpack:FuzzUnpack ./agent/proto:FuzzDecode ./agent/archive:FuzzExtract

.PHONY: run build install prebuilt dist test unit e2e clients chaos fuzz bench fmt vet deps clean awssim gcpsim tf-providers run-aws-sim function-zips agent-image

run: build
	@mkdir -p .run/data
	exec $(BIN) --data .run/data $(ARGS)

build: prebuilt
	@mkdir -p $(dir $(BIN))
	GOARCH=$(GOARCH) $(RELEASE) -o $(BIN) ./local/cmd/sockerless

# install puts sockerless and sockerless-edge, self-contained, in
# $(go env GOBIN) (or GOPATH/bin).
install: prebuilt
	$(GO) install -trimpath -ldflags "$(LDFLAGS)" ./local/cmd/sockerless ./edge/cmd/sockerless-edge

# dist writes the release archives and SHA256SUMS into .run/dist.
dist:
	VERSION=$(VERSION) LDFLAGS="$(LDFLAGS)" GO=$(GO) bash scripts/dist.sh

# prebuilt writes what sockerless embeds so that it needs neither Go nor
# the sources at run time: the static agent for GOARCH (the only one, so
# a binary carries its own architecture's) and the sandbox's WASI module.
prebuilt:
	@rm -f $(AGENT_PREBUILT)/agent-linux-*
	GOOS=linux GOARCH=$(GOARCH) CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(AGENT_PREBUILT)/agent-linux-$(GOARCH) ./agent/cmd/agent
	GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(WASM_PREBUILT) ./sandbox/wasm/utils

# awssim runs the AWS simulator (DynamoDB, Lambda, ECS, ECR, Logs, IAM,
# STS) on 127.0.0.1:4566.
awssim:
	@mkdir -p .run/bin .run/awssim
	$(GO) build -ldflags "$(LDFLAGS)" -o .run/bin/awssim ./simulators/aws/cmd/awssim
	exec .run/bin/awssim --data .run/awssim $(ARGS)

# gcpsim runs the GCP simulator (Firestore, Cloud Run jobs, Logging, IAM,
# Artifact Registry and its Docker registry, Cloud Storage, the metadata
# server) on 127.0.0.1:8086; point FIRESTORE_EMULATOR_HOST,
# STORAGE_EMULATOR_HOST and GCE_METADATA_HOST at it, other clients'
# endpoint, and gcloud's api_endpoint_overrides.
gcpsim:
	@mkdir -p .run/bin .run/gcpsim
	$(GO) build -ldflags "$(LDFLAGS)" -o .run/bin/gcpsim ./simulators/gcp/cmd/gcpsim
	exec .run/bin/gcpsim --data .run/gcpsim $(ARGS)

# tf-providers builds the hashicorp/aws and hashicorp/google Terraform
# providers from the Go module proxy into ~/.cache/sockerless/terraform
# (once: ~25 min and 11.5 GB of memory for aws, ~4 min for google); the
# Terraform tests and run-aws-sim use them, and skip or stop with a clear
# message without them.
tf-providers:
	@bash scripts/tf-providers.sh aws; bash scripts/tf-providers.sh google

# run-aws-sim applies the Terraform module to the AWS simulator and runs
# the edge in front of it (BACKEND=ecs or lambda).
run-aws-sim:
	@bash scripts/run-aws-sim.sh

# function-zips builds the control-plane functions' deployment packages,
# the module's function_zips input.
function-zips:
	@mkdir -p .run/functions
	for b in ecs lambda; do $(GO) run ./functions/cmd/lambdazip -pkg ./functions/backends/$$b/cmd/bootstrap -o .run/functions/$$b.zip; done

# agent-image pushes the agent image to REF (the module's
# agent_repository_url output, with :latest), with the AWS SDK's usual
# credentials.
agent-image:
	@test -n "$(REF)" || { echo "usage: make agent-image REF=<agent_repository_url>:latest"; exit 2; }
	@mkdir -p .run/bin
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o .run/bin/linux-agent ./agent/cmd/agent
	$(GO) run ./functions/cmd/push-agent-image -binary .run/bin/linux-agent -ref $(REF)

# deps installs what Go modules cannot bring: the reference Docker
# Engine and busybox for the comparison tests (best effort, never fatal).
deps:
	@bash scripts/install-deps.sh

# The end-to-end suite runs verbose into .run/e2e.log; its summary lines
# (the comparison with the reference dockerd among them) are shown. Each
# part prints how long it took (time: unit 7m12s), the set-up's parts
# theirs (time: deps tf-providers 0s).
TIMED := bash scripts/timed.sh
test:
	@$(TIMED) deps $(MAKE) --no-print-directory deps
	@$(TIMED) vet $(MAKE) --no-print-directory vet
	$(TIMED) unit $(GO) test -count=1 -timeout 15m $(filter-out $(E2E),$(PKGS))
	@$(TIMED) fuzz $(MAKE) --no-print-directory fuzz
	@mkdir -p .run
	@$(TIMED) e2e sh -c '$(GO) test -count=1 -v -timeout 40m $(E2E) > .run/e2e.log 2>&1' || \
		{ grep -E -B2 -A20 -- '--- FAIL|^panic' .run/e2e.log | tail -200; \
		  grep -E -A14 -- '^(act|gitlab-ci-local|compose|testcontainers|docker-py) |_test.go:[0-9]+: (job|act)' .run/e2e.log | head -80; \
		  echo "e2e failed: see .run/e2e.log"; exit 1; }
	@grep -E '^(chaos|corpus|compare|[a-z]+-scenarios|act|act-upstream|gitlab-ci-local|compose|testcontainers|docker-py|ok|FAIL)[[:space:]:]|--- SKIP' .run/e2e.log

# fuzz runs each fuzz target for FUZZTIME executions; a crash fails it, and its
# input lands in the package's testdata/fuzz, where `go test` replays it.
fuzz:
	@mkdir -p .run
	@for t in $(FUZZ); do \
		echo "fuzz $${t%%:*} $${t##*:} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t##*:}$$" -fuzztime $(FUZZTIME) -parallel 2 "$${t%%:*}" >.run/fuzz.log 2>&1 || \
			{ tail -40 .run/fuzz.log; echo "fuzz failed: $${t##*:} in $${t%%:*} (see .run/fuzz.log)"; exit 1; }; \
	done

unit: vet
	$(GO) test -count=1 $(filter-out $(E2E),$(PKGS))

e2e: deps
	$(GO) test -count=1 -v -timeout 40m $(E2E)

# chaos soaks local mode for CHAOS_DURATION: clients run container
# lifecycles (run, exec, logs, cp, stop or wait, rm) with the docker CLI
# while local mode is SIGKILLed and restarted at random moments, then it
# prints `chaos: ops N, kills K, lost exits 0, wrong states 0, leaked
# resources 0`. `make test` runs it too, with a 30s soak.
CHAOS_DURATION ?= 2m
chaos: deps
	@set -o pipefail; CHAOS_DURATION=$(CHAOS_DURATION) $(GO) test -count=1 -v -timeout 15m -run '^TestChaos$$' ./e2e/chaos/ 2>&1 | \
		grep -E '^(chaos:|--- |ok|FAIL|panic)|_test.go:[0-9]+'

# clients runs real CI clients (act, testcontainers-go) against Sockerless's
# runtimes and the reference dockerd; `make test` runs them too, in $(E2E).
clients: deps
	$(GO) test -count=1 -v -timeout 40m ./e2e/clients/ ./e2e/clients/testcontainers/

# Whole-system benchmarks time fixed runs (1x: each measures its own
# sample of runs); the simulators' and sandbox's are per-operation and
# take the default benchtime, the simulators' on one core.
bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./local/... ./e2e/...
	$(GO) test -run '^$$' -bench . -timeout 30m ./sandbox/...
	$(GO) test -run '^$$' -bench . -benchtime 2s -timeout 30m ./functions/state/...
	$(GO) test -run '^$$' -bench . -cpu 1 -timeout 30m ./simulators/...

# vet also vets the edge and Docker's semantics for macOS: no Linux-only
# syscall in them (workloads are Linux; the control plane need not be).
vet:
	@test -z "$$(gofmt -l $(MODULES))" || { echo "gofmt needed:"; gofmt -l $(MODULES); exit 1; }
	$(GO) vet $(PKGS)
	GOOS=darwin $(GO) vet ./functions/core/... ./edge/... ./agent/signals/

clean:
	rm -rf .run
