package engine

import (
	"reflect"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
)

// changes reads "A /x" "C /y" ... into a diff.
func changes(s ...string) []container.FilesystemChange {
	kinds := map[string]container.ChangeType{"A": container.ChangeAdd, "C": container.ChangeModify, "D": container.ChangeDelete}
	out := []container.FilesystemChange{}
	for _, c := range s {
		k, p, _ := strings.Cut(c, " ")
		out = append(out, container.FilesystemChange{Path: p, Kind: kinds[k]})
	}
	return out
}

func TestMergeChanges(t *testing.T) {
	tests := []struct {
		name                 string
		earlier, later, want []container.FilesystemChange
	}{
		{name: "first run", later: changes("C /tmp", "A /tmp/x"), want: changes("C /tmp", "A /tmp/x")},
		{name: "added then changed stays added", earlier: changes("C /tmp", "A /tmp/x"), later: changes("C /tmp", "C /tmp/x"), want: changes("C /tmp", "A /tmp/x")},
		{name: "added then deleted is gone", earlier: changes("C /tmp", "A /tmp/x"), later: changes("C /tmp", "D /tmp/x"), want: changes("C /tmp")},
		{name: "deleted then added is changed", earlier: changes("C /etc", "D /etc/group"), later: changes("C /etc", "A /etc/group"), want: changes("C /etc", "C /etc/group")},
		{name: "changed then deleted is deleted", earlier: changes("C /etc/passwd"), later: changes("D /etc/passwd"), want: changes("D /etc/passwd")},
		{name: "deleted directory takes its changes", earlier: changes("C /srv", "A /srv/new", "C /srv/old"), later: changes("D /srv"), want: changes("D /srv")},
		{name: "earlier only", earlier: changes("A /a", "A /b"), later: changes("A /c"), want: changes("A /a", "A /b", "A /c")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergeChanges(tt.earlier, tt.later); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
