package sandbox

import "strings"

// oneWriteEcho rewrites an echo so the interpreter's builtin writes its
// line at once: it writes each word, space and newline on its own, and a
// reader of the stream (an attach or exec client, one frame per write)
// would see a line in pieces where a real echo writes it whole. With -e
// each word's escapes are expanded on its own (a \c ends only its word),
// so that echo is left as it is.
func oneWriteEcho(args []string) []string {
	words, newline := args[1:], true
opts:
	for len(words) > 0 {
		switch words[0] {
		case "-n":
			newline = false
		case "-e":
			return args
		case "-E":
		default:
			break opts
		}
		words = words[1:]
	}
	line := strings.Join(words, " ")
	if newline {
		line += "\n"
	}
	return []string{"echo", "-n", line}
}
