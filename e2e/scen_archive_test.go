package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os/exec"

	"github.com/sockerless/sockerless/e2e/harness"
)

// archiveScenarios copy compressed tars into containers: dockerd's
// PUT /containers/{id}/archive takes gzip, bzip2 and xz as well as plain
// tar (testcontainers sends gzip), running or not.
func archiveScenarios() []Scenario {
	return []Scenario{
		{Name: "cp_compressed_archive", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sleep", "60"), Shape: ShapeLines},
			{Do: cpCompressed("@name@", "gzip"), Checks: []Check{OutEmpty()}},
			{Do: cpCompressed("@name@", "bzip2"), Checks: []Check{OutEmpty()}},
			{Do: cpCompressed("@name@", "xz"), Checks: []Check{OutEmpty()}},
			{Args: d("exec", "@name@", "cat", "/tmp/gzip.txt", "/tmp/bzip2.txt", "/tmp/xz.txt"), Checks: []Check{Out("gzip\nbzip2\nxz\n")}},
			{Args: d("rm", "-f", "@name@"), Shape: ShapeLines},
		}},
		{Name: "cp_compressed_archive_stopped", Steps: []Step{
			{Args: d("create", "--name", "@name@", "@img@", "cat", "/tmp/gzip.txt", "/tmp/bzip2.txt", "/tmp/xz.txt"), Shape: ShapeLines},
			{Do: cpCompressed("@name@", "gzip"), Checks: []Check{OutEmpty()}},
			{Do: cpCompressed("@name@", "bzip2"), Checks: []Check{OutEmpty()}},
			{Do: cpCompressed("@name@", "xz"), Checks: []Check{OutEmpty()}},
			{Args: d("start", "-a", "@name@"), Checks: []Check{Out("gzip\nbzip2\nxz\n")}},
		}},
	}
}

// cpCompressed sends `docker cp - ctr:/tmp` a tar holding <kind>.txt,
// compressed by kind: gzip here, bzip2 and xz by their commands (the
// docker CLI passes the bytes through as they are).
func cpCompressed(ctr, kind string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		var plain bytes.Buffer
		tw := tar.NewWriter(&plain)
		body := []byte(kind + "\n")
		if err := tw.WriteHeader(&tar.Header{Name: kind + ".txt", Mode: 0o644, Size: int64(len(body))}); err != nil {
			return fail(err.Error())
		}
		tw.Write(body)
		tw.Close()
		var packed bytes.Buffer
		switch kind {
		case "gzip":
			zw := gzip.NewWriter(&packed)
			zw.Write(plain.Bytes())
			zw.Close()
		default:
			cmd := exec.Command(kind, "-c")
			cmd.Stdin, cmd.Stdout = &plain, &packed
			if err := cmd.Run(); err != nil {
				return fail(kind + ": " + err.Error())
			}
		}
		return s.E.DockerWith(harness.RunOpts{Stdin: &packed}, "cp", "-", s.Expand(ctr)+":/tmp")
	}
}
