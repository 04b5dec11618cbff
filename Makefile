# Sockerless: the Docker Engine API on serverless capacity.
# `make run` starts local mode; `make test` runs the test suite.

GO      ?= go
MODULES := agent edge functions sandbox local e2e
PKGS    := $(addprefix ./,$(addsuffix /...,$(MODULES)))
BIN     := .run/bin/sockerless
ARGS    ?=

.PHONY: run build test unit e2e bench fmt vet deps clean

run: build
	@mkdir -p .run/data
	exec $(BIN) --data .run/data $(ARGS)

build:
	@mkdir -p .run/bin
	$(GO) build -o $(BIN) ./local/cmd/sockerless

# deps installs what Go modules cannot bring: the reference Docker
# Engine and busybox for the comparison tests (best effort, never fatal).
deps:
	@bash scripts/install-deps.sh

test: deps vet
	$(GO) test -count=1 -timeout 15m $(PKGS)

unit: vet
	$(GO) test -count=1 $(filter-out ./e2e/...,$(PKGS))

e2e: deps
	$(GO) test -count=1 -v -timeout 15m ./e2e/...

bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m $(PKGS)

vet:
	@test -z "$$(gofmt -l $(MODULES))" || { echo "gofmt needed:"; gofmt -l $(MODULES); exit 1; }
	$(GO) vet $(PKGS)

clean:
	rm -rf .run
