package dockerfile

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\n" +
		"FROM busybox AS base\n" +
		"# a comment\n" +
		"RUN echo one \\\n" +
		"  # a comment inside\n" +
		"\n" +
		"  two\n" +
		"COPY --chown=1:1 a b /dst/\n" +
		`CMD ["echo", "hi"]` + "\n" +
		"ENTRYPOINT [not json\n" +
		"env A=1\n"
	f, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Cmd, Rest string
		JSON      []string
		Line      int
	}
	var all []got
	for _, in := range f.Instructions {
		all = append(all, got{in.Cmd, in.Rest, in.JSON, in.Line})
	}
	want := []got{
		{"FROM", "busybox AS base", nil, 2},
		{"RUN", "echo one   two", nil, 4},
		{"COPY", "a b /dst/", nil, 8},
		{"CMD", `["echo", "hi"]`, []string{"echo", "hi"}, 9},
		{"ENTRYPOINT", "[not json", nil, 10},
		{"ENV", "A=1", nil, 11},
	}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("got  %+v\nwant %+v", all, want)
	}
	if f.Instructions[2].Flags["chown"] != "1:1" {
		t.Errorf("flags %v", f.Instructions[2].Flags)
	}
}

func TestParseEscapeDirective(t *testing.T) {
	f, err := Parse(strings.NewReader("# escape=`\nFROM x\nRUN a `\n b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Escape != '`' || f.Instructions[1].Rest != "a  b" {
		t.Errorf("escape %q rest %q", f.Escape, f.Instructions[1].Rest)
	}
	if _, err := Parse(strings.NewReader("# only a comment\n")); err == nil {
		t.Error("an empty Dockerfile parsed")
	}
}

func TestWords(t *testing.T) {
	env := map[string]string{"A": "a", "EMPTY": "", "SP": "x y"}
	look := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cases := []struct {
		in   string
		want []string
	}{
		{"$A ${A}b", []string{"a", "ab"}},
		{`"$A c" '$A'`, []string{"a c", "$A"}},
		{`\$A x\ y`, []string{"$A", "x y"}},
		{"${NOPE:-def} ${EMPTY:-d2} ${EMPTY-d3}", []string{"def", "d2"}},
		{"${A:+set} ${NOPE:+set}x", []string{"set", "x"}},
		{"${NOPE:-${A}x}", []string{"ax"}},
		{"$SP", []string{"x y"}},
		{`k="v 1" k2=v2`, []string{"k=v 1", "k2=v2"}},
		{`""`, []string{""}},
		{"cost$ $1", []string{"cost$", "$1"}},
	}
	for _, c := range cases {
		got, err := Words(c.in, '\\', look)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %q want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{`"open`, "'open", "${A", "${NOPE:?must be set}", "${}"} {
		if _, err := Words(bad, '\\', look); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if w, _ := Word("  $A  b ", '\\', look); w != "  a  b " {
		t.Errorf("Word kept %q", w)
	}
}
