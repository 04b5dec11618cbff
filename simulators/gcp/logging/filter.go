package logging

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	ltype "google.golang.org/genproto/googleapis/logging/type"
	"google.golang.org/protobuf/types/known/structpb"
)

// filter is a parsed Logging query: it reports whether an entry matches.
type filter func(e *loggingpb.LogEntry) bool

// parseFilter parses the part of the Logging query language readers
// use: comparisons (= != < <= > >= : =~ !~) of a field path
// (logName, severity, timestamp, insertId, textPayload, resource.type,
// resource.labels.K, labels.K, labels."K", jsonPayload.K...) with a
// value, joined by AND (or juxtaposition), OR (which binds tighter, as
// in Logging) and NOT, with parentheses. An empty filter matches all.
func parseFilter(s string) (filter, error) {
	p := &parser{toks: tokenize(s)}
	if len(p.toks) == 0 {
		return func(*loggingpb.LogEntry) bool { return true }, nil
	}
	f, err := p.and()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at the end of the filter", p.toks[p.i].text)
	}
	return f, nil
}

type token struct {
	text   string
	quoted bool
	glued  bool // no space before it: part of the same unquoted value
}

// tokenize splits a filter into quoted strings, operators, parentheses
// and words.
func tokenize(s string) []token {
	var out []token
	glued := false
	add := func(t token) {
		t.glued = glued
		out = append(out, t)
		glued = true
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case unicode.IsSpace(rune(c)):
			glued = false
			i++
		case c == '"':
			j, b := i+1, strings.Builder{}
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
				j++
			}
			add(token{text: b.String(), quoted: true})
			i = j + 1
		case c == '(' || c == ')' || c == '.':
			add(token{text: string(c)})
			i++
		case strings.ContainsRune("=!<>:~", rune(c)):
			j := i + 1
			for j < len(s) && strings.ContainsRune("=<>~", rune(s[j])) {
				j++
			}
			add(token{text: s[i:j]})
			i = j
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && !strings.ContainsRune(`()."=!<>:~`, rune(s[j])) {
				j++
			}
			add(token{text: s[i:j]})
			i = j
		}
	}
	return out
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

func (p *parser) isWord(w string) bool {
	t, ok := p.peek()
	return ok && !t.quoted && t.text == w
}

// and is a sequence of ors joined by AND or by juxtaposition.
func (p *parser) and() (filter, error) {
	var parts []filter
	for {
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		parts = append(parts, f)
		if p.isWord("AND") {
			p.i++
			continue
		}
		if t, ok := p.peek(); !ok || (!t.quoted && t.text == ")") {
			break
		}
	}
	return func(e *loggingpb.LogEntry) bool {
		for _, f := range parts {
			if !f(e) {
				return false
			}
		}
		return true
	}, nil
}

func (p *parser) or() (filter, error) {
	var parts []filter
	for {
		f, err := p.unary()
		if err != nil {
			return nil, err
		}
		parts = append(parts, f)
		if !p.isWord("OR") {
			break
		}
		p.i++
	}
	return func(e *loggingpb.LogEntry) bool {
		for _, f := range parts {
			if f(e) {
				return true
			}
		}
		return false
	}, nil
}

func (p *parser) unary() (filter, error) {
	t, ok := p.peek()
	if p.isWord("NOT") || (ok && !t.quoted && strings.HasPrefix(t.text, "-")) {
		if t.text == "NOT" || t.text == "-" {
			p.i++
		} else {
			p.toks[p.i].text = t.text[1:] // "-field=value": the minus negates
		}
		f, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(e *loggingpb.LogEntry) bool { return !f(e) }, nil
	}
	if p.isWord("(") {
		p.i++
		f, err := p.and()
		if err != nil {
			return nil, err
		}
		if !p.isWord(")") {
			return nil, fmt.Errorf("missing ) in the filter")
		}
		p.i++
		return f, nil
	}
	return p.comparison()
}

// comparison is path op value.
func (p *parser) comparison() (filter, error) {
	var path []string
	for {
		t, ok := p.peek()
		if !ok || (!t.quoted && (t.text == "" || strings.ContainsAny(t.text[:1], "().=!<>:~"))) {
			return nil, fmt.Errorf("expected a field name in the filter")
		}
		path = append(path, t.text)
		p.i++
		if !p.isWord(".") {
			break
		}
		p.i++
	}
	op, ok := p.peek()
	if !ok || op.quoted || !isOperator(op.text) {
		return nil, fmt.Errorf("expected a comparison after %s: gcpsim does not support global restrictions", strings.Join(path, "."))
	}
	p.i++
	val, ok := p.peek()
	if !ok {
		return nil, fmt.Errorf("expected a value after %s %s", strings.Join(path, "."), op.text)
	}
	p.i++
	value := val.text
	// An unquoted value runs on to the next space or parenthesis.
	for t, ok := p.peek(); ok && !val.quoted && t.glued && !t.quoted && t.text != ")"; t, ok = p.peek() {
		value += t.text
		p.i++
	}
	return compare(path, op.text, value)
}

func isOperator(s string) bool {
	switch s {
	case "=", "!=", "<", "<=", ">", ">=", ":", "=~", "!~":
		return true
	}
	return false
}

// compare builds the test of one comparison; the field's kind decides
// how values are ordered (times, severities, else strings).
func compare(path []string, op, value string) (filter, error) {
	field := strings.Join(path, ".")
	var cmp func(got string) int
	switch field {
	case "timestamp", "receiveTimestamp":
		want, err := time.Parse(time.RFC3339Nano, value)
		if err != nil {
			return nil, fmt.Errorf("invalid timestamp %q in the filter: use RFC 3339", value)
		}
		cmp = func(got string) int {
			t, _ := time.Parse(time.RFC3339Nano, got)
			return t.Compare(want)
		}
	case "severity":
		want, err := severity(value)
		if err != nil {
			return nil, err
		}
		cmp = func(got string) int {
			g, _ := severity(got)
			return int(g) - int(want)
		}
	default:
		cmp = func(got string) int { return strings.Compare(got, value) }
	}
	var re *regexp.Regexp
	if op == "=~" || op == "!~" {
		var err error
		if re, err = regexp.Compile(value); err != nil {
			return nil, fmt.Errorf("invalid regular expression %q in the filter: %v", value, err)
		}
	}
	return func(e *loggingpb.LogEntry) bool {
		got, ok := lookup(e, path)
		if !ok {
			return op == "!="
		}
		switch op {
		case "=":
			return cmp(got) == 0
		case "!=":
			return cmp(got) != 0
		case "<":
			return cmp(got) < 0
		case "<=":
			return cmp(got) <= 0
		case ">":
			return cmp(got) > 0
		case ">=":
			return cmp(got) >= 0
		case ":":
			return strings.Contains(strings.ToLower(got), strings.ToLower(value))
		case "=~":
			return re.MatchString(got)
		}
		return !re.MatchString(got)
	}, nil
}

func severity(s string) (ltype.LogSeverity, error) {
	if v, ok := ltype.LogSeverity_value[strings.ToUpper(s)]; ok {
		return ltype.LogSeverity(v), nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		return ltype.LogSeverity(n), nil
	}
	return 0, fmt.Errorf("invalid severity %q in the filter", s)
}

// lookup is the value of field path in e as text.
func lookup(e *loggingpb.LogEntry, path []string) (string, bool) {
	switch path[0] {
	case "logName":
		return e.LogName, true
	case "severity":
		return e.Severity.String(), true
	case "timestamp":
		return e.Timestamp.AsTime().Format(time.RFC3339Nano), true
	case "receiveTimestamp":
		return e.ReceiveTimestamp.AsTime().Format(time.RFC3339Nano), true
	case "insertId":
		return e.InsertId, true
	case "trace":
		return e.Trace, e.Trace != ""
	case "spanId":
		return e.SpanId, e.SpanId != ""
	case "textPayload":
		_, ok := e.Payload.(*loggingpb.LogEntry_TextPayload)
		return e.GetTextPayload(), ok
	case "labels":
		v, ok := e.Labels[strings.Join(path[1:], ".")]
		return v, ok && len(path) > 1
	case "resource":
		if len(path) == 2 && path[1] == "type" {
			return e.Resource.GetType(), e.Resource != nil
		}
		if len(path) > 2 && path[1] == "labels" {
			v, ok := e.Resource.GetLabels()[strings.Join(path[2:], ".")]
			return v, ok
		}
	case "jsonPayload":
		v := e.GetJsonPayload()
		if v == nil || len(path) < 2 {
			return "", false
		}
		f, ok := v.Fields[path[1]]
		for _, k := range path[2:] {
			if !ok || f.GetStructValue() == nil {
				return "", false
			}
			f, ok = f.GetStructValue().Fields[k]
		}
		if !ok {
			return "", false
		}
		if sv, isStr := f.Kind.(*structpb.Value_StringValue); isStr {
			return sv.StringValue, true
		}
		b, _ := f.MarshalJSON()
		return strings.Trim(string(b), `"`), true
	}
	return "", false
}
