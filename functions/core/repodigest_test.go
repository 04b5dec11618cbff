package core

import "testing"

func TestRepoDigestFor(t *testing.T) {
	digests := []string{"127.0.0.1:5000/a/one@sha256:1", "127.0.0.1:5000/a/two@sha256:1", "busybox@sha256:2"}
	for _, tc := range []struct{ image, want string }{
		{"127.0.0.1:5000/a/two:1", "127.0.0.1:5000/a/two@sha256:1"},
		{"127.0.0.1:5000/a/one", "127.0.0.1:5000/a/one@sha256:1"},
		{"docker.io/library/busybox:latest", "busybox@sha256:2"},
		{"busybox", "busybox@sha256:2"},
		{"sha256:0123", "127.0.0.1:5000/a/one@sha256:1"}, // by id: the first
		{"other/repo:1", "127.0.0.1:5000/a/one@sha256:1"},
	} {
		if got := repoDigestFor(digests, tc.image); got != tc.want {
			t.Errorf("repoDigestFor(%q) = %q, want %q", tc.image, got, tc.want)
		}
	}
	if got := repoDigestFor(nil, "busybox"); got != "" {
		t.Errorf("no digests: %q", got)
	}
}
