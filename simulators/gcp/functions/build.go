package functions

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/template"
	"time"

	functionspb "cloud.google.com/go/functions/apiv2/functionspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/simulators/gcp/internal/lro"
)

// FrameworkVersion is the functions-framework-go the generated main
// requires when the function's module does not require one itself, as
// the Go buildpack adds it.
const FrameworkVersion = "v1.9.2"

const frameworkModule = "github.com/GoogleCloudPlatform/functions-framework-go"

// buildTimeout bounds one build, as Cloud Build's default does.
const buildTimeout = 10 * time.Minute

// maxSource bounds the unzipped source, as Cloud Functions bounds it.
const maxSource = 500 << 20

// build fetches f's source from Cloud Storage and builds it into a binary
// that serves f on $PORT, returning the binary's path. A failure is an
// error Cloud Functions would give its operation.
func (s *Service) build(ctx context.Context, f *functionspb.Function) (string, error) {
	src := f.BuildConfig.Source.GetStorageSource()
	data, _, err := s.storage.Object(src.Bucket, src.Object)
	if err != nil {
		return "", status.Errorf(codes.InvalidArgument, "Failed to retrieve function source code: object gs://%s/%s could not be read: %v", src.Bucket, src.Object, err)
	}
	dir := filepath.Join(s.dir, f.Name[strings.LastIndex(f.Name, "/")+1:], lro.NewID())
	bin, err := compile(ctx, f, data, dir)
	if err != nil {
		os.RemoveAll(dir)
	}
	return bin, err
}

// compile unzips the source under dir and builds it there.
func compile(ctx context.Context, f *functionspb.Function, data []byte, dir string) (string, error) {
	src := f.BuildConfig.Source.GetStorageSource()
	if err := unzip(data, filepath.Join(dir, "src")); err != nil {
		return "", status.Errorf(codes.InvalidArgument, "Failed to unzip the function's source gs://%s/%s: %v", src.Bucket, src.Object, err)
	}
	if err := generateMain(dir, f.BuildConfig.EntryPoint); err != nil {
		return "", status.Errorf(codes.InvalidArgument, "Build failed: %v", err)
	}
	bin := filepath.Join(dir, "function")
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool(), "build", "-o", bin, ".")
	cmd.Dir = filepath.Join(dir, "main")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0", "GOTOOLCHAIN=local")
	for k, v := range f.BuildConfig.EnvironmentVariables {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", status.Errorf(codes.InvalidArgument, "Build failed: go build: %v\n%s", err, tail(out, 4096))
	}
	return bin, nil
}

// goTool is the Go command: the one on PATH, else this binary's
// toolchain's.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// unzip writes the zip archive data under dir, refusing paths that leave
// it and sources larger than maxSource.
func unzip(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	var total int64
	for _, zf := range zr.File {
		name := filepath.FromSlash(zf.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("the archive's path %q leaves the source directory", zf.Name)
		}
		p := filepath.Join(dir, name)
		if zf.FileInfo().IsDir() {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		}
		if !zf.Mode().IsRegular() {
			continue // links and devices are not source
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		r, err := zf.Open()
		if err != nil {
			return err
		}
		w, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			r.Close()
			return err
		}
		n, err := io.Copy(w, io.LimitReader(r, maxSource-total+1))
		r.Close()
		w.Close()
		if total += n; total > maxSource {
			return fmt.Errorf("the source is larger than %d MiB unzipped", maxSource>>20)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// generateMain writes DIR/main: the module and main package the Go
// buildpack generates around the function's module in DIR/src.
func generateMain(dir, entryPoint string) error {
	src := filepath.Join(dir, "src")
	module := "functions.local/app" // the buildpack's name for a source without go.mod
	var sum []byte
	if b, err := os.ReadFile(filepath.Join(src, "go.mod")); err == nil {
		if module = modulePath(b); module == "" {
			return fmt.Errorf("the source's go.mod has no module directive")
		}
		sum, _ = os.ReadFile(filepath.Join(src, "go.sum"))
	} else if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module "+module+"\n\ngo 1.21\n"), 0o644); err != nil {
		return err
	}
	declarative, err := registersWithFramework(src)
	if err != nil {
		return err
	}
	main := filepath.Join(dir, "main")
	if err := os.MkdirAll(main, 0o755); err != nil {
		return err
	}
	gomod := fmt.Sprintf("module functions.local/main\n\ngo 1.21\n\nrequire (\n\t%s v0.0.0-00010101000000-000000000000\n\t%s %s\n)\n\nreplace %s => ../src\n",
		module, frameworkModule, FrameworkVersion, module)
	if err := os.WriteFile(filepath.Join(main, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(main, "go.sum"), sum, 0o644); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := mainTemplate.Execute(&b, map[string]any{"Module": module, "Declarative": declarative, "Target": entryPoint}); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(main, "main.go"), b.Bytes(), 0o644)
}

// registersWithFramework reports whether the function's package imports
// the framework's registry (functions.HTTP, functions.CloudEvent), so
// that the framework finds the function by FUNCTION_TARGET.
func registersWithFramework(src string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil {
		return false, err
	}
	if len(files) == 0 {
		return false, fmt.Errorf("the source has no .go file at its root: the function's package must be there")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return false, err
		}
		if bytes.Contains(b, []byte(`"`+frameworkModule+`/functions"`)) {
			return true, nil
		}
	}
	return false, nil
}

// mainTemplate is the buildpack's generated main: it starts the
// framework on $PORT, after registering the entry point by name when
// the package does not register itself.
var mainTemplate = template.Must(template.New("main").Parse(`// Code generated by gcpsim, as the Go buildpack generates it. DO NOT EDIT.
package main

import (
{{- if not .Declarative}}
	"context"
{{- end}}
	"log"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
{{- if .Declarative}}
	_ "{{.Module}}"
{{- else}}
	userfunction "{{.Module}}"
{{- end}}
)

func main() {
{{- if not .Declarative}}
	if err := funcframework.RegisterHTTPFunctionContext(context.Background(), "/", userfunction.{{.Target}}); err != nil {
		log.Fatalf("Function failed to register: %v\n", err)
	}
{{- end}}
	port := "8080"
	if p := os.Getenv("PORT"); p != "" {
		port = p
	}
	if err := funcframework.StartHostPort("127.0.0.1", port); err != nil {
		log.Fatalf("Function failed to start: %v\n", err)
	}
}
`))

// modulePath is the path a go.mod's module directive names.
func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			if i := strings.Index(rest, "//"); i >= 0 {
				rest = rest[:i]
			}
			return strings.Trim(strings.TrimSpace(rest), `"`+"`")
		}
	}
	return ""
}
