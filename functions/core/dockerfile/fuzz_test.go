package dockerfile

import (
	"strings"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// FuzzParse feeds arbitrary Dockerfiles (a build context is outside
// input) through the parser, word expansion and commit's --change
// application: each returns a result or an error, never panics, and a
// parsed instruction names a command in upper case.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"FROM busybox\nRUN echo hi\n",
		"# escape=`\nFROM a AS b\nCOPY --from=b --chown=1:1 [\"a b\", \"/c\"]\nWORKDIR `\n  /x\n",
		"ARG V=1\nFROM img:${V:-2}\nENV A=\"b c\" D=${A:+x}\nLABEL \"k\"='v'\nEXPOSE 80/tcp\n",
		"FROM x\nHEALTHCHECK --interval=5s CMD [\"true\"]\nENTRYPOINT [\"sh\",\"-c\"]\nCMD echo $HOME\n",
		"FROM x\nRUN <<EOF\necho\nEOF\n",
		"FROM x\nUSER ${U:?unset}\nVOLUME [\"/a\"]\nSTOPSIGNAL SIGTERM\nSHELL [\"/bin/sh\", \"-c\"]\n",
	} {
		f.Add(s)
	}
	env := func(name string) (string, bool) {
		if name == "HOME" {
			return "/root", true
		}
		return "", false
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse(strings.NewReader(src))
		if err != nil {
			return
		}
		var changes []string
		for _, in := range file.Instructions {
			if in.Cmd == "" || in.Cmd != strings.ToUpper(in.Cmd) {
				t.Fatalf("instruction %q has command %q", in.Original, in.Cmd)
			}
			_, _ = Words(in.Rest, file.Escape, env)
			_, _ = Word(in.Rest, file.Escape, env)
			changes = append(changes, in.Original)
		}
		var cfg dockerspec.DockerOCIImageConfig
		_ = ApplyChanges(&cfg, changes)
	})
}
