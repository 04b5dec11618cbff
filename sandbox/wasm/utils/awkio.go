package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// awkIO is the main input (files or stdin, and var=value operands), the
// files getline reads and the files print writes.
type awkIO struct {
	in       *awkInterp
	operands []string
	stdin    io.Reader
	cur      *bufio.Reader
	curClose io.Closer
	stdout   io.Writer
	stderr   io.Writer
	outs     map[string]*bufio.Writer
	outFiles map[string]*os.File
	ins      map[string]*bufio.Reader
	inFiles  map[string]*os.File
	failed   bool
	usedFile bool
}

// nextReader opens the next file operand, applying var=value ones.
func (a *awkIO) nextReader() bool {
	for len(a.operands) > 0 {
		op := a.operands[0]
		a.operands = a.operands[1:]
		if k, v, ok := strings.Cut(op, "="); ok && isAwkName(k) {
			a.in.global(k).v = strnum(processEscapes(v))
			continue
		}
		if op == "" {
			continue
		}
		a.usedFile = true
		a.in.global("FILENAME").v = str(op)
		a.in.global("FNR").v = num(0)
		if op == "-" || op == "/dev/stdin" {
			a.cur, a.curClose = bufio.NewReader(a.stdin), nil
			return true
		}
		f, err := os.Open(op)
		if err != nil {
			fmt.Fprintf(a.stderr, "awk: cannot open %s: %s\n", op, errText(err))
			a.failed = true
			continue
		}
		a.cur, a.curClose = bufio.NewReaderSize(f, 64<<10), f
		return true
	}
	if !a.usedFile {
		a.usedFile = true
		a.cur = bufio.NewReader(a.stdin)
		return true
	}
	return false
}

func (a *awkIO) skipFile() {
	if a.curClose != nil {
		a.curClose.Close()
	}
	a.cur, a.curClose = nil, nil
}

// readRecord reads one record from the main input.
func (a *awkIO) readRecord() (string, bool) {
	for {
		if a.cur == nil && !a.nextReader() {
			return "", false
		}
		if rec, ok := readRecord(a.cur, a.in.gstr("RS")); ok {
			return rec, true
		}
		a.skipFile()
	}
}

// readRecord splits by RS: a newline by default, blank lines when RS is
// empty (paragraph mode), else its first character.
func readRecord(r *bufio.Reader, rs string) (string, bool) {
	switch {
	case rs == "\n" || rs == "":
		if rs == "" {
			return readParagraph(r)
		}
		s, err := r.ReadString('\n')
		if s == "" && err != nil {
			return "", false
		}
		return strings.TrimSuffix(s, "\n"), true
	default:
		s, err := r.ReadString(rs[0])
		if s == "" && err != nil {
			return "", false
		}
		return strings.TrimSuffix(s, rs[:1]), true
	}
}

func readParagraph(r *bufio.Reader) (string, bool) {
	var lines []string
	for {
		s, err := r.ReadString('\n')
		line := strings.TrimSuffix(s, "\n")
		if line == "" {
			if len(lines) > 0 {
				return strings.Join(lines, "\n"), true
			}
			if err != nil {
				return "", false
			}
			continue
		}
		lines = append(lines, line)
		if err != nil {
			return strings.Join(lines, "\n"), true
		}
	}
}

func isAwkName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// processEscapes handles backslash escapes in -v and operand values.
func processEscapes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			b.WriteString(unescapeAwk(s[i]))
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// writer finds the stream for print's redirection.
func (a *awkIO) writer(redir, name string) (io.Writer, error) {
	switch name {
	case "/dev/stdout", "-":
		return a.stdout, nil
	case "/dev/stderr":
		return a.stderr, nil
	}
	if w, ok := a.outs[name]; ok {
		return w, nil
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if redir == ">>" {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(name, flag, 0o644)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	a.outs[name], a.outFiles[name] = w, f
	return w, nil
}

func (a *awkIO) close(name string) int {
	status := -1
	if w, ok := a.outs[name]; ok {
		w.Flush()
		a.outFiles[name].Close()
		delete(a.outs, name)
		delete(a.outFiles, name)
		status = 0
	}
	if f, ok := a.inFiles[name]; ok {
		f.Close()
		delete(a.ins, name)
		delete(a.inFiles, name)
		status = 0
	}
	return status
}

// flush writes out buffered output, before a child command writes too.
func (a *awkIO) flush() {
	if f, ok := a.stdout.(flusher); ok {
		f.Flush()
	}
	for _, w := range a.outs {
		w.Flush()
	}
}

func (a *awkIO) closeAll() {
	for name := range a.outs {
		a.close(name)
	}
	for name := range a.inFiles {
		a.close(name)
	}
}

// getline reads a record from a file for `getline [var] < file`.
func (a *awkIO) getline(name string) (string, int) {
	r, ok := a.ins[name]
	if !ok {
		if name == "-" || name == "/dev/stdin" {
			r = bufio.NewReader(a.stdin)
		} else {
			f, err := os.Open(name)
			if err != nil {
				return "", -1
			}
			r = bufio.NewReader(f)
			a.inFiles[name] = f
		}
		a.ins[name] = r
	}
	rec, ok := readRecord(r, a.in.gstr("RS"))
	if !ok {
		return "", 0
	}
	return rec, 1
}

// splitFields splits s by fs: " " is runs of blanks with ends trimmed, a
// single other character is literal (tab too), longer ones are regexps.
func splitFields(s, fs string, cache map[string]*regexp.Regexp) []string {
	if s == "" {
		return nil
	}
	switch {
	case fs == " ":
		return strings.Fields(s)
	case len(fs) == 1 && fs != "\\":
		return strings.Split(s, fs)
	}
	re, ok := cache[fs]
	if !ok {
		var err error
		if re, err = compileERE(fs); err != nil {
			panic(awkSyntaxError{err.Error()})
		}
		cache[fs] = re
	}
	return re.Split(s, -1)
}

func (in *awkInterp) setRecord(s string) {
	in.record, in.recordValid, in.fieldsValid = s, true, false
}

func (in *awkInterp) splitRecord() {
	if !in.fieldsValid {
		in.fields = splitFields(in.record, in.gstr("FS"), in.regexCache)
		in.nf, in.fieldsValid = len(in.fields), true
	}
}

func (in *awkInterp) getNF() int {
	in.splitRecord()
	return in.nf
}

func (in *awkInterp) setNF(n int) {
	in.splitRecord()
	if n < 0 {
		n = 0
	}
	for len(in.fields) < n {
		in.fields = append(in.fields, "")
	}
	in.fields, in.nf, in.recordValid = in.fields[:n], n, false
}

func (in *awkInterp) field(i int) value {
	if i < 0 {
		panic(awkSyntaxError{fmt.Sprintf("trying to access out of range field %d", i)})
	}
	if i == 0 {
		if !in.recordValid {
			in.record = strings.Join(in.fields[:in.nf], in.gstr("OFS"))
			in.recordValid = true
		}
		return strnum(in.record)
	}
	in.splitRecord()
	if i > in.nf {
		return value{}
	}
	return strnum(in.fields[i-1])
}

func (in *awkInterp) setField(i int, s string) {
	if i < 0 {
		panic(awkSyntaxError{fmt.Sprintf("trying to access out of range field %d", i)})
	}
	if i == 0 {
		in.setRecord(s)
		return
	}
	in.splitRecord()
	if i > in.nf {
		in.setNF(i)
	}
	in.fields[i-1] = s
	in.recordValid = false
}
