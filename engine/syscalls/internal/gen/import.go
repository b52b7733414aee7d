package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// importAll refreshes every data file.
func importAll(dataDir, uapi, uapiLabel, s390, s390Label, libseccomp string) error {
	for _, t := range tables {
		root, label := uapi, uapiLabel
		if t.s390 {
			root, label = s390, s390Label
		}
		calls, err := importTable(root, t)
		if err != nil {
			return fmt.Errorf("%s: %w", t.file, err)
		}
		header := []string{
			fmt.Sprintf("Syscall numbers of %s, as the kernel sees them.", strings.Join(t.abis, ", ")),
			fmt.Sprintf("Imported from %s/%s (%s) by internal/gen -import.", t.dir, t.hdr, label),
		}
		if err := writeCalls(filepath.Join(dataDir, t.file+".txt"), header, calls, t.file == "x32"); err != nil {
			return err
		}
	}
	return importLibseccomp(dataDir, libseccomp)
}

// syscallMacro matches the macros that name a syscall. The kernel spells
// syscall names in lower case; the upper-case __NR_ macros (__NR_Linux,
// __NR_SYSCALL_BASE, ...) are bases and masks. __ARM_NR_* are ARM's
// private calls, which live above the ordinary table at 0x0f0000.
var syscallMacro = regexp.MustCompile(`^__(?:ARM_)?NR_([a-z_][a-z0-9_]*)$`)

// notSyscalls are lower-case __NR_ macros that are not syscalls.
var notSyscalls = map[string]bool{"syscalls": true}

// placeholder matches the names MIPS gives to never-implemented slots
// (__NR_unused18, __NR_reserved221). No ABI, and no libseccomp table, has
// a call by that name, so they would only add noise to Names.
var placeholder = regexp.MustCompile(`^(unused|reserved)[0-9]+$`)

// importTable preprocesses one kernel header with the host compiler, which
// resolves the ABI conditionals and include chains, and evaluates every
// syscall macro it defined. The result is sorted by number.
func importTable(root string, t table) ([]call, error) {
	dir := filepath.Join(root, t.dir)
	args := []string{"-E", "-dM", "-undef", "-nostdinc", "-x", "c", "-I", dir}
	for _, d := range t.defs {
		args = append(args, "-D"+d)
	}
	args = append(args, filepath.Join(dir, t.hdr))
	cmd := exec.Command("gcc", args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("gcc %s: %w", strings.Join(args, " "), err)
	}

	macros := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "#define ")
		if !ok {
			continue
		}
		name, value, _ := strings.Cut(rest, " ")
		if strings.Contains(name, "(") {
			continue // function-like; never a syscall number
		}
		macros[name] = strings.TrimSpace(value)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}

	var calls []call
	seen := map[string]string{}
	for macro := range macros {
		m := syscallMacro.FindStringSubmatch(macro)
		if m == nil || notSyscalls[m[1]] {
			continue
		}
		name := m[1]
		if placeholder.MatchString(name) {
			continue
		}
		if syscallMacro.MatchString(macros[macro]) {
			// An alias, like ARM's __NR_sync_file_range2 for
			// __NR_arm_sync_file_range: a second spelling, not a
			// second call. libseccomp resolves only the real name.
			continue
		}
		if prev, dup := seen[name]; dup {
			return nil, fmt.Errorf("%s and %s both name %s", prev, macro, name)
		}
		seen[name] = macro
		v, err := eval(macros, macros[macro], 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", macro, err)
		}
		if v < 0 || v > 0x7fffffff {
			return nil, fmt.Errorf("%s = %d: out of range", macro, v)
		}
		calls = append(calls, call{name, int32(v)})
	}
	if len(calls) < 100 {
		return nil, fmt.Errorf("only %d syscalls found; wrong header or defines?", len(calls))
	}
	slices.SortFunc(calls, func(a, b call) int {
		return cmp.Or(cmp.Compare(a.nr, b.nr), strings.Compare(a.name, b.name))
	})
	return calls, nil
}

// eval computes the integer value of a macro body. Syscall headers only
// use literals, other macros, parentheses, + and - (and | in old ones), so
// that is all this accepts; anything else is an error, never a guess.
func eval(macros map[string]string, expr string, depth int) (int64, error) {
	if depth > 16 {
		return 0, fmt.Errorf("macro expansion too deep at %q", expr)
	}
	toks, err := tokenize(expr)
	if err != nil {
		return 0, err
	}
	p := parser{toks: toks, macros: macros, depth: depth}
	v, err := p.expr()
	if err != nil {
		return 0, err
	}
	if p.pos != len(p.toks) {
		return 0, fmt.Errorf("trailing %q in %q", p.toks[p.pos], expr)
	}
	return v, nil
}

var token = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*|0[xX][0-9a-fA-F]+[uUlL]*|[0-9]+[uUlL]*|[-+|()])`)

func tokenize(s string) ([]string, error) {
	var toks []string
	for strings.TrimSpace(s) != "" {
		m := token.FindStringSubmatch(s)
		if m == nil {
			return nil, fmt.Errorf("cannot read %q", s)
		}
		toks = append(toks, m[1])
		s = s[len(m[0]):]
	}
	return toks, nil
}

type parser struct {
	toks   []string
	pos    int
	macros map[string]string
	depth  int
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

// expr := term { ("+" | "-" | "|") term }
func (p *parser) expr() (int64, error) {
	v, err := p.term()
	if err != nil {
		return 0, err
	}
	for {
		op := p.peek()
		if op != "+" && op != "-" && op != "|" {
			return v, nil
		}
		p.pos++
		w, err := p.term()
		if err != nil {
			return 0, err
		}
		switch op {
		case "+":
			v += w
		case "-":
			v -= w
		case "|":
			v |= w
		}
	}
}

// term := number | macro | "(" expr ")" | "-" term
func (p *parser) term() (int64, error) {
	t := p.peek()
	p.pos++
	switch {
	case t == "":
		return 0, fmt.Errorf("unexpected end of expression")
	case t == "(":
		v, err := p.expr()
		if err != nil {
			return 0, err
		}
		if p.peek() != ")" {
			return 0, fmt.Errorf("missing )")
		}
		p.pos++
		return v, nil
	case t == "-":
		v, err := p.term()
		return -v, err
	case t[0] >= '0' && t[0] <= '9':
		return strconv.ParseInt(strings.TrimRight(t, "uUlL"), 0, 64)
	case t[0] == '_' || t[0] >= 'A':
		body, ok := p.macros[t]
		if !ok {
			return 0, fmt.Errorf("undefined macro %s", t)
		}
		return eval(p.macros, body, p.depth+1)
	}
	return 0, fmt.Errorf("unexpected %q", t)
}

// pnrDefine matches libseccomp's pseudo-syscall definitions.
var pnrDefine = regexp.MustCompile(`^#define\s+__PNR_([a-z0-9_]+)\s+(-[0-9]+)\s*$`)

// importLibseccomp takes two sets of facts from a libseccomp source tree:
// the pseudo-syscall numbers from its public header, in the header's
// order, and the names its resolver knows from its syscall table.
func importLibseccomp(dataDir, src string) error {
	hdr, err := os.ReadFile(filepath.Join(src, "include", "seccomp-syscalls.h"))
	if err != nil {
		return err
	}
	var pseudo []call
	for line := range strings.Lines(string(hdr)) {
		m := pnrDefine.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			continue
		}
		nr, err := strconv.ParseInt(m[2], 10, 32)
		if err != nil {
			return err
		}
		pseudo = append(pseudo, call{m[1], int32(nr)})
	}
	// Sort by magnitude; the stable sort keeps the header's order among
	// names sharing a number, and that order is the one libseccomp's
	// reverse lookup happens to honour.
	slices.SortStableFunc(pseudo, func(a, b call) int { return cmp.Compare(b.nr, a.nr) })
	if err := writeCalls(filepath.Join(dataDir, pseudoFile), []string{
		"Pseudo-syscall numbers (__PNR_*) of libseccomp 2.6.1, as facts.",
		"A name has one when some ABI lacks the call; libseccomp resolves the name",
		"to this number there. -101..-120 are the socketcall(2) operations and",
		"-201..-224 the ipc(2) ones. Where two names share a number (-10191), the",
		"first one listed is the name the number resolves back to.",
	}, pseudo, false); err != nil {
		return err
	}

	table, err := os.ReadFile(filepath.Join(src, "src", "syscalls.csv"))
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# Every syscall name libseccomp 2.6.1 resolves (the first column of its\n")
	b.WriteString("# syscall table), as facts. seccomp-syscalls.h defines __SNR_<name> for each.\n")
	var names []string
	for line := range strings.Lines(string(table)) {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		name, _, _ := strings.Cut(line, ",")
		names = append(names, name)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintln(&b, n)
	}
	return writeFile(filepath.Join(dataDir, namesFile), []byte(b.String()))
}
