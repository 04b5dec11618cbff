// Command lambdazip builds a Go package as a Lambda `bootstrap` for the
// provided.al2023 runtime and writes it, alone, into a deployment zip:
//
//	go run ./functions/cmd/lambdazip -pkg ./functions/backends/ecs/cmd/bootstrap -o ecs.zip
//
// The zip is byte-for-byte reproducible (fixed timestamps, -trimpath, no
// VCS stamp), so Terraform's source_code_hash only changes when the code
// does; a release passes its -ldflags (make dist), which stamp the
// version `bootstrap version` prints.
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// zipTime is the earliest time a zip's DOS timestamp can hold; every
// entry gets it so the archive does not depend on when it was built.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	pkg := flag.String("pkg", "", "Go package to build (e.g. ./functions/backends/lambda/cmd/bootstrap)")
	out := flag.String("o", "", "zip file to write")
	arch := flag.String("arch", "amd64", "GOARCH: amd64 (Lambda x86_64) or arm64 (Lambda arm64)")
	ldflags := flag.String("ldflags", "-s -w", "linker flags (make dist adds the version stamp)")
	flag.Parse()
	if *pkg == "" || *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: lambdazip -pkg PACKAGE -o FILE.zip [-arch amd64|arm64]")
		os.Exit(2)
	}
	if err := run(context.Background(), *pkg, *arch, *ldflags, *out); err != nil {
		fmt.Fprintln(os.Stderr, "lambdazip:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, pkg, arch, ldflags, out string) error {
	if arch != "amd64" && arch != "arm64" {
		return fmt.Errorf("arch %q: Lambda runs amd64 (x86_64) or arm64", arch)
	}
	tmp, err := os.MkdirTemp("", "lambdazip-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	exe, err := build(ctx, pkg, arch, ldflags, filepath.Join(tmp, "bootstrap"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeZip(&buf, "bootstrap", exe); err != nil {
		return err
	}
	return writeFile(out, buf.Bytes())
}

// build compiles pkg for Lambda's Linux and returns the executable. The
// lambda.norpc tag drops aws-lambda-go's legacy net/rpc server, which
// provided.al2023 never uses.
func build(ctx context.Context, pkg, arch, ldflags, bin string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false",
		"-ldflags", ldflags, "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return os.ReadFile(bin)
}

// writeZip writes a zip holding one executable (mode 0755, which Lambda
// needs to run it) named name.
func writeZip(w io.Writer, name string, exe []byte) error {
	zw := zip.NewWriter(w)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o755)
	f, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := f.Write(exe); err != nil {
		return err
	}
	return zw.Close()
}

// writeFile replaces path atomically, so a Terraform run reading it never
// sees half a zip.
func writeFile(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".lambdazip-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
