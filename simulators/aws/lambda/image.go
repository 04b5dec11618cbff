package lambda

// Container-image functions. The image comes from the simulator's own ECR
// and is unpacked once per digest (imagefs); its ENTRYPOINT+CMD runs as
// the function process with every path inside the image resolved under
// the unpacked root. Unlike Lambda, the process is NOT chrooted: it runs
// on the host, with cwd the image's working directory under the root and
// LAMBDA_TASK_ROOT the root's var/task, so a statically linked bootstrap
// (aws-lambda-go, Rust, ...) works, while one that expects the image's
// /lib or an absolute path inside the image at run time does not.
//
// The exception is an entrypoint the sandbox recognises as a program it
// runs in-process (sandbox.RegisterNative; the simulator registers
// sockerless's own agent): such an instance runs in the sandbox over the
// image, confined to it, and so does everything it starts.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/simulators/kit/imagefs"
)

// imageConfig is ImageConfig: overrides of the image's own settings.
type imageConfig struct {
	EntryPoint       []string `json:"EntryPoint,omitempty"`
	Command          []string `json:"Command,omitempty"`
	WorkingDirectory string   `json:"WorkingDirectory,omitempty"`
}

type imageConfigResponse struct {
	ImageConfig *imageConfig `json:"ImageConfig,omitempty"`
}

func responseOf(ic *imageConfig) *imageConfigResponse {
	if ic == nil {
		return &imageConfigResponse{}
	}
	c := *ic
	return &imageConfigResponse{ImageConfig: &c}
}

// resolveImage checks that uri names an image in the simulator's ECR and
// returns it pinned by digest, as ResolvedImageUri, and the digest's hex.
func (s *Service) resolveImage(ctx context.Context, uri string) (resolved, hex string, err error) {
	if s.opts.Pull == nil {
		return "", "", invalidParam("awssim: this Lambda service has no ECR to pull container images from")
	}
	ref, err := name.ParseReference(uri, name.Insecure)
	if err != nil {
		return "", "", invalidParam("Source image %s is not valid. Provide a valid source image.", uri)
	}
	img, err := s.opts.Pull(ctx, uri)
	if err != nil {
		return "", "", invalidParam("Source image %s does not exist. Provide a valid source image.", uri)
	}
	d, err := img.Digest()
	if err != nil {
		return "", "", invalidParam("Source image %s does not exist. Provide a valid source image.", uri)
	}
	return ref.Context().Name() + "@" + d.String(), d.Hex, nil
}

// rebase points a loopback image reference at the simulator's current
// address: a function created before a restart keeps the old port in
// its ResolvedImageUri, as ECR's repositoryUri changes with it.
func (s *Service) rebase(ref string) string {
	if s.opts.Endpoint == nil {
		return ref
	}
	u, err := url.Parse(s.opts.Endpoint())
	if err != nil || u.Host == "" {
		return ref
	}
	host, rest, ok := strings.Cut(ref, "/")
	if !ok || !(strings.HasPrefix(host, "127.0.0.1:") || strings.HasPrefix(host, "localhost:")) {
		return ref
	}
	return u.Host + "/" + rest
}

// prepareImage pulls and unpacks the image (once per digest, shared with
// every function using it) and works out the process to run.
func (s *Service) prepareImage(resolved string, icr *imageConfigResponse) func(*spec) error {
	var ic imageConfig
	if icr != nil && icr.ImageConfig != nil {
		ic = *icr.ImageConfig
	}
	return func(sp *spec) error {
		img, err := s.opts.Pull(s.ctx, s.rebase(resolved))
		if err != nil {
			return fmt.Errorf("pull %s: %w", resolved, err)
		}
		u, err := s.images.Get(s.ctx, img)
		if err != nil {
			return err
		}
		// Lambda's ImageConfig overrides each field on its own (an
		// EntryPoint alone keeps the image's CMD as its parameters),
		// unlike docker run --entrypoint, which drops the image's CMD.
		entry, cmd := u.Config.Entrypoint, u.Config.Cmd
		if len(ic.EntryPoint) > 0 {
			entry = ic.EntryPoint
		}
		if len(ic.Command) > 0 {
			cmd = ic.Command
		}
		args := append(append([]string{}, entry...), cmd...)
		if len(args) == 0 {
			return fmt.Errorf("image %s has no ENTRYPOINT or CMD, and ImageConfig sets none", resolved)
		}
		wd := firstOf(ic.WorkingDirectory, u.Config.WorkingDir, "/")
		exe, host, err := lookPath(u.Root, wd, args[0], u.Config.Env)
		if err != nil {
			return err
		}
		// The image's ENV first: Lambda's variables and the function's
		// own override it (exec keeps the last of duplicate keys).
		env := append(append([]string{}, u.Config.Env...), sp.env...)
		if s.opts.Runtime.Native {
			// Every image function is a native container over the
			// image, its program the image's own, as in Lambda.
			sp.box = &boxSpec{image: u.Root, args: append([]string{exe}, args[1:]...), dir: wd,
				roots: filepath.Join(s.dir, "run", "native"), runtime: s.opts.Runtime}
			sp.taskRoot = "/var/task"
			sp.env = append(env, "LAMBDA_TASK_ROOT="+sp.taskRoot)
			return os.MkdirAll(sp.box.roots, 0o700)
		}
		if _, ok := sandbox.MatchNative(host); ok {
			// A program the sandbox runs in-process (sockerless's agent):
			// it runs confined to the image, as in Lambda, so what it
			// starts runs over the image's files too. The sandbox makes
			// a missing working directory, as container engines do.
			sp.box = &boxSpec{image: u.Root, args: append([]string{exe}, args[1:]...), dir: wd, roots: filepath.Join(s.dir, "run", "sandbox")}
			sp.taskRoot = "/var/task"
			sp.env = append(env, "LAMBDA_TASK_ROOT="+sp.taskRoot)
			return os.MkdirAll(sp.box.roots, 0o700)
		}
		cwd, err := imagefs.Resolve(u.Root, wd)
		if err != nil {
			return fmt.Errorf("working directory %s: %w", wd, err)
		}
		sp.argv = append([]string{host}, args[1:]...)
		sp.cwd = cwd
		sp.taskRoot = filepath.Join(u.Root, "var", "task")
		sp.env = append(env, "LAMBDA_TASK_ROOT="+sp.taskRoot)
		return nil
	}
}

// lookPath finds the image's executable as the container runtime would:
// a name with a slash relative to the working directory, a bare name on
// the image's PATH, both resolved inside root. It returns the container
// path and the host path under root.
func lookPath(root, wd, file string, env []string) (exe, host string, err error) {
	if strings.Contains(file, "/") {
		p := file
		if !path.IsAbs(p) {
			p = path.Join(wd, p)
		}
		host, err := imagefs.Resolve(root, p)
		if err != nil {
			return "", "", fmt.Errorf("entrypoint %s: %w", file, err)
		}
		return p, host, nil
	}
	dirs := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			dirs = v
		}
	}
	for _, d := range strings.Split(dirs, ":") {
		p := path.Join("/", d, file)
		if host, err := imagefs.Resolve(root, p); err == nil {
			return p, host, nil
		}
	}
	return "", "", fmt.Errorf("entrypoint %s: executable file not found in the image's $PATH", file)
}

func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// getFunction is GetFunction: the configuration and where the code is.
func (s *Service) getFunction(region, ref string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.lookup(region, ref)
	if err != nil {
		return nil, err
	}
	code := map[string]string{"RepositoryType": "S3"}
	if f.Config.PackageType == "Image" {
		code = map[string]string{"RepositoryType": "ECR", "ImageUri": f.ImageURI, "ResolvedImageUri": f.ResolvedImageURI}
	}
	return map[string]any{"Configuration": f.Config, "Code": code, "Tags": map[string]string{}}, nil
}
