package coreutils

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// Permission bits as chmod(1) and stat(1) spell them; Go's fs.FileMode
// keeps setuid, setgid and sticky elsewhere, so convert at the edges.
func unixPerm(m fs.FileMode) uint32 {
	p := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		p |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		p |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		p |= 0o1000
	}
	return p
}

func goPerm(p uint32) fs.FileMode {
	m := fs.FileMode(p & 0o777)
	if p&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if p&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if p&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// applyMode computes the new bits for spec, octal or symbolic
// ("u+x,go-w", "a=r", "+X"), from the current ones.
func applyMode(spec string, cur uint32, isDir bool) (uint32, error) {
	if spec == "" {
		return 0, fmt.Errorf("invalid mode '%s'", spec)
	}
	if spec[0] >= '0' && spec[0] <= '7' {
		n, err := strconv.ParseUint(spec, 8, 32)
		if err != nil || n > 0o7777 {
			return 0, fmt.Errorf("invalid mode '%s'", spec)
		}
		return uint32(n), nil
	}
	for _, clause := range strings.Split(spec, ",") {
		i := 0
		var who uint32
		for ; i < len(clause) && strings.IndexByte("ugoa", clause[i]) >= 0; i++ {
			who |= map[byte]uint32{'u': 0o4700, 'g': 0o2070, 'o': 0o1007, 'a': 0o7777}[clause[i]]
		}
		if who == 0 {
			who = 0o7777
		}
		if i == len(clause) {
			return 0, fmt.Errorf("invalid mode '%s'", spec)
		}
		for i < len(clause) {
			op := clause[i]
			if op != '+' && op != '-' && op != '=' {
				return 0, fmt.Errorf("invalid mode '%s'", spec)
			}
			i++
			var bits uint32
			for ; i < len(clause) && strings.IndexByte("+-=", clause[i]) < 0; i++ {
				switch c := clause[i]; c {
				case 'r':
					bits |= 0o444
				case 'w':
					bits |= 0o222
				case 'x':
					bits |= 0o111
				case 'X':
					if isDir || cur&0o111 != 0 {
						bits |= 0o111
					}
				case 's':
					bits |= 0o6000
				case 't':
					bits |= 0o1000
				case 'u', 'g', 'o':
					// Copy another class's bits to every class.
					shift := map[byte]uint{'u': 6, 'g': 3, 'o': 0}[c]
					v := (cur >> shift) & 7
					bits |= v<<6 | v<<3 | v
				default:
					return 0, fmt.Errorf("invalid mode '%s'", spec)
				}
			}
			bits &= who
			switch op {
			case '+':
				cur |= bits
			case '-':
				cur &^= bits
			case '=':
				cur = cur&^who | bits
			}
		}
	}
	return cur, nil
}

// chmod [-Rf] MODE FILE... (flags may also follow MODE and FILE)
func chmod(_ context.Context, inv *command.Invocation) int {
	// A mode like -w looks like a flag: only words of chmod's own flag
	// letters are flags, wherever they stand.
	flags, args := flagWords(inv.Args[1:], "Rfvc")
	recursive, quiet := strings.Contains(flags, "R"), strings.Contains(flags, "f")
	if len(args) < 2 {
		return usage(inv, fmt.Errorf("missing operand"))
	}
	if _, err := applyMode(args[0], 0, false); err != nil {
		return inv.Errorf("%v", err)
	}
	status := 0
	var walk func(name string, top bool)
	walk = func(name string, top bool) {
		p := inv.Abs(name)
		fi, err := inv.FS.Lstat(p)
		if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			if !top {
				return // -R does not follow links met inside the tree
			}
			fi, err = inv.FS.Stat(p)
		}
		if err == nil {
			mode, _ := applyMode(args[0], unixPerm(fi.Mode()), fi.IsDir())
			err = inv.FS.Chmod(p, goPerm(mode))
		}
		if err != nil {
			if !quiet {
				fmt.Fprintf(inv.Stderr, "chmod: %s: %s\n", name, errText(err))
			}
			status = 1
			return
		}
		if recursive && fi.IsDir() {
			ents, err := inv.FS.ReadDir(p)
			if err != nil {
				fmt.Fprintf(inv.Stderr, "chmod: %s: %s\n", name, errText(err))
				status = 1
				return
			}
			for _, e := range ents {
				walk(path.Join(name, e.Name()), false)
			}
		}
	}
	for _, name := range args[1:] {
		walk(name, true)
	}
	return status
}

// fileType names a file's type the way stat's %F does.
func fileType(fi fs.FileInfo) string {
	m := fi.Mode()
	switch {
	case m.IsRegular() && fi.Size() == 0:
		return "regular empty file"
	case m.IsRegular():
		return "regular file"
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeCharDevice != 0:
		return "character special file"
	case m&fs.ModeDevice != 0:
		return "block special file"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "unknown"
}

// stat [-L] -c FORMAT FILE... prints each file by FORMAT: %n name, %s
// size, %a octal mode, %A ls-style mode, %F type, %u/%g ids, %U/%G
// names, %h links, %i inode, %Y/%y mtime, %%.
func stat(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "c", map[string]byte{"format": 'c', "dereference": 'L'})
	if err != nil {
		return usage(inv, err)
	}
	format, ok := o.val['c']
	if !ok {
		return inv.Errorf("only -c FORMAT is implemented in this sandbox")
	}
	if len(o.args) == 0 {
		return usage(inv, fmt.Errorf("missing operand"))
	}
	ids := newIDNames(inv)
	status := 0
	for _, name := range o.args {
		get := inv.FS.Lstat
		if o.has('L') {
			get = inv.FS.Stat
		}
		fi, err := get(inv.Abs(name))
		if err != nil {
			fmt.Fprintf(inv.Stderr, "stat: can't stat '%s': %s\n", name, errText(err))
			status = 1
			continue
		}
		fmt.Fprintln(inv.Stdout, statFormat(format, name, fi, ids))
	}
	return status
}

func statFormat(format, name string, fi fs.FileInfo, ids idNames) string {
	st := command.StatOf(fi)
	uid, gid, nlink, ino := st.UID, st.GID, st.Nlink, st.Ino
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'n':
			b.WriteString(name)
		case 's':
			b.WriteString(strconv.FormatInt(fi.Size(), 10))
		case 'a':
			b.WriteString(strconv.FormatUint(uint64(unixPerm(fi.Mode())), 8))
		case 'A':
			b.WriteString(modeString(fi.Mode()))
		case 'F':
			b.WriteString(fileType(fi))
		case 'u':
			b.WriteString(strconv.Itoa(uid))
		case 'g':
			b.WriteString(strconv.Itoa(gid))
		case 'U':
			b.WriteString(ids.user(uid))
		case 'G':
			b.WriteString(ids.group(gid))
		case 'h':
			b.WriteString(strconv.FormatUint(nlink, 10))
		case 'i':
			b.WriteString(strconv.FormatUint(ino, 10))
		case 'Y':
			b.WriteString(strconv.FormatInt(fi.ModTime().Unix(), 10))
		case 'y':
			b.WriteString(fi.ModTime().Format("2006-01-02 15:04:05.000000000 -0700"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteString("?")
		}
	}
	return b.String()
}
