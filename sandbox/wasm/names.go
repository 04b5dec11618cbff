package wasm

import (
	"sort"

	"github.com/sockerless/sockerless/sandbox/coreutils"
)

// ownNames are the utilities written in ./utils itself; the module also
// holds every utility of sandbox/coreutils, compiled in.
var ownNames = []string{
	"awk", "base64", "cmp", "diff", "expr", "find", "gunzip", "gzip", "md5sum", "readlink", "realpath",
	"rmdir", "sed", "sha1sum", "sha256sum", "sha512sum", "xargs", "zcat",
}

// Names lists the utilities of the module, sorted.
func Names() []string {
	out := append(coreutils.Names(), ownNames...)
	sort.Strings(out)
	return out
}
