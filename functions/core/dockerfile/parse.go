// Package dockerfile reads Dockerfiles: it splits a file into
// instructions (directives, comments, line continuations, flags, the
// JSON and shell forms) and expands variables the way Docker's builder
// does. What each instruction means is the builder's business.
package dockerfile

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// ErrEmpty: the file holds no instruction.
var ErrEmpty = errors.New("the Dockerfile cannot be empty")

// Instruction is one logical line of a Dockerfile.
type Instruction struct {
	// Cmd is the instruction's name in upper case ("RUN").
	Cmd string
	// Flags are the leading --name[=value] words, without the dashes.
	Flags map[string]string
	// Rest is what follows the name and flags, continuations joined.
	Rest string
	// JSON holds the arguments of the exec (JSON array) form; nil for
	// the shell form.
	JSON []string
	// Line is where the instruction starts (1-based).
	Line int
	// Original is the instruction as written, continuations joined, as
	// Docker prints it in "Step n/m : ...".
	Original string
}

// IsJSON reports whether the instruction used the exec (JSON) form.
func (in Instruction) IsJSON() bool { return in.JSON != nil }

// File is a parsed Dockerfile.
type File struct {
	Instructions []Instruction
	// Escape is the escape character set by the escape directive.
	Escape rune
}

// flagged lists the instructions that take --flags.
var flagged = map[string]bool{"FROM": true, "RUN": true, "COPY": true, "ADD": true, "HEALTHCHECK": true}

// Parse reads a Dockerfile.
func Parse(r io.Reader) (*File, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	f := &File{Escape: '\\'}
	directives := true
	var (
		cur   strings.Builder
		start int
		n     int
	)
	flush := func() error {
		text := strings.TrimSpace(cur.String())
		cur.Reset()
		if text == "" {
			return nil
		}
		in, err := parseLine(text, start)
		if err != nil {
			return err
		}
		f.Instructions = append(f.Instructions, in)
		return nil
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		trimmed := strings.TrimSpace(line)
		if directives {
			if esc, ok, err := directive(trimmed); err != nil {
				return nil, fmt.Errorf("dockerfile parse error on line %d: %w", n, err)
			} else if ok {
				if esc != 0 {
					f.Escape = esc
				}
				continue
			}
			directives = false
		}
		// Comments and blank lines are skipped, inside a continued
		// instruction too.
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() > 0) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		body := strings.TrimRightFunc(line, unicode.IsSpace)
		if strings.HasSuffix(body, string(f.Escape)) {
			cur.WriteString(strings.TrimSuffix(body, string(f.Escape)))
			continue
		}
		cur.WriteString(line)
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the Dockerfile: %w", err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(f.Instructions) == 0 {
		return nil, ErrEmpty
	}
	return f, nil
}

// directive recognises "# escape=`" and "# syntax=..." at the top of
// the file; the syntax directive names a BuildKit frontend and has no
// meaning for this builder.
func directive(line string) (rune, bool, error) {
	if !strings.HasPrefix(line, "#") {
		return 0, false, nil
	}
	k, v, ok := strings.Cut(strings.TrimSpace(line[1:]), "=")
	if !ok {
		return 0, false, nil
	}
	switch strings.ToLower(strings.TrimSpace(k)) {
	case "escape":
		v = strings.TrimSpace(v)
		if v != "\\" && v != "`" {
			return 0, false, fmt.Errorf("invalid escape token '%s' does not match ` or \\", v)
		}
		return rune(v[0]), true, nil
	case "syntax", "check":
		return 0, true, nil
	}
	return 0, false, nil
}

func parseLine(text string, line int) (Instruction, error) {
	name, rest, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(name, "\t"); i >= 0 {
		name, rest = text[:i], text[i+1:]
	}
	in := Instruction{Cmd: strings.ToUpper(name), Line: line, Original: text}
	rest = strings.TrimSpace(rest)
	if flagged[in.Cmd] {
		in.Flags = map[string]string{}
		for strings.HasPrefix(rest, "--") {
			word, after, _ := strings.Cut(rest, " ")
			k, v, _ := strings.Cut(strings.TrimPrefix(word, "--"), "=")
			if k == "" {
				return in, fmt.Errorf("dockerfile parse error on line %d: %s: bad flag %q", line, in.Cmd, word)
			}
			in.Flags[k] = v
			rest = strings.TrimSpace(after)
		}
	}
	in.Rest = rest
	if strings.HasPrefix(rest, "[") {
		var args []string
		// Like Docker: what does not parse as a JSON array of strings
		// is the shell form.
		if json.Unmarshal([]byte(rest), &args) == nil && args != nil {
			in.JSON = args
		}
	}
	return in, nil
}
