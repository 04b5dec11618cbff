package sandbox

import (
	"strings"
	"testing"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/wasm"
)

// TestUtilitiesAreWASI: every utility a CI script is expected to find
// runs as the WASI module; only kill (and the shell itself) run
// in-process.
func TestUtilitiesAreWASI(t *testing.T) {
	if _, err := wasmEngine(); err != nil {
		t.Fatal(err)
	}
	fsys, err := FS(t.TempDir(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := newSystem(fsys, "h", command.User{}, nil, t.TempDir(), 0)
	utilities := strings.Fields(`ls cat cp mv rm mkdir rmdir ln chmod touch stat find grep egrep sed awk
		sort uniq cut tr head tail wc tee xargs diff cmp basename dirname readlink realpath date sleep env
		printenv id whoami hostname uname seq expr printf echo true false yes base64 md5sum sha1sum
		sha256sum tar gzip gunzip zcat wget nc which timeout`)
	for _, name := range utilities {
		c, ok := s.reg.Lookup(name)
		if !ok {
			t.Errorf("%s is not registered", name)
			continue
		}
		if _, isWASI := c.(wasm.Command); !isWASI {
			t.Errorf("%s runs as %T, not in the WASI module", name, c)
		}
	}
	if c, _ := s.reg.Lookup("kill"); c == nil {
		t.Error("kill is not registered")
	} else if _, isWASI := c.(wasm.Command); isWASI {
		t.Error("kill runs in the WASI module, where it cannot signal the sandbox's processes")
	}
}
