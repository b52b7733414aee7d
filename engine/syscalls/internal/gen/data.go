package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// A table is one kernel syscall numbering. Several ABIs can share one:
// byte order changes nothing about the numbers.
type table struct {
	file string   // data/<file>.txt
	abis []string // libseccomp ABI names numbered by this table
	dir  string   // kernel architecture directory in the uapi tree
	hdr  string   // header handed to the preprocessor
	defs []string // macros that select the ABI inside hdr
	s390 bool     // comes from the pre-6.19 tree
	// extra names a hand-kept data file merged in at generation time,
	// for numbers no importable header carries.
	extra string
}

// tables lists every numbering libseccomp knows. The defines stand in for
// what the target compiler would predefine; the headers pick their
// numbering from them. aarch64, loongarch64 and riscv64 are read from the
// generated unistd_64.h directly because their unistd.h wants the
// compiler's word size.
var tables = []table{
	{file: "x86", abis: []string{"x86"}, dir: "x86", hdr: "asm/unistd.h", defs: []string{"__i386__"}},
	{file: "x86_64", abis: []string{"x86_64"}, dir: "x86", hdr: "asm/unistd.h", defs: []string{"__x86_64__"}},
	{file: "x32", abis: []string{"x32"}, dir: "x86", hdr: "asm/unistd.h", defs: []string{"__x86_64__", "__ILP32__"}},
	{file: "arm", abis: []string{"arm"}, dir: "arm", hdr: "asm/unistd.h", defs: []string{"__ARM_EABI__"}},
	{file: "aarch64", abis: []string{"aarch64"}, dir: "arm64", hdr: "asm/unistd_64.h"},
	{file: "loongarch64", abis: []string{"loongarch64"}, dir: "loongarch", hdr: "asm/unistd_64.h"},
	{file: "m68k", abis: []string{"m68k"}, dir: "m68k", hdr: "asm/unistd.h"},
	{file: "mips", abis: []string{"mips", "mipsel"}, dir: "mips", hdr: "asm/unistd.h", defs: []string{"_MIPS_SIM=_MIPS_SIM_ABI32"}},
	{file: "mips64", abis: []string{"mips64", "mipsel64"}, dir: "mips", hdr: "asm/unistd.h", defs: []string{"_MIPS_SIM=_MIPS_SIM_ABI64"}},
	{file: "mips64n32", abis: []string{"mips64n32", "mipsel64n32"}, dir: "mips", hdr: "asm/unistd.h", defs: []string{"_MIPS_SIM=_MIPS_SIM_NABI32"}},
	{file: "parisc", abis: []string{"parisc"}, dir: "parisc", hdr: "asm/unistd.h"},
	{file: "parisc64", abis: []string{"parisc64"}, dir: "parisc", hdr: "asm/unistd.h", defs: []string{"__LP64__"}},
	{file: "ppc", abis: []string{"ppc"}, dir: "powerpc", hdr: "asm/unistd.h"},
	{file: "ppc64", abis: []string{"ppc64", "ppc64le"}, dir: "powerpc", hdr: "asm/unistd.h", defs: []string{"__powerpc64__"}},
	{file: "riscv64", abis: []string{"riscv64"}, dir: "riscv", hdr: "asm/unistd_64.h"},
	{file: "s390", abis: []string{"s390"}, dir: "s390", hdr: "asm/unistd.h", s390: true, extra: "s390-late.txt"},
	{file: "s390x", abis: []string{"s390x"}, dir: "s390", hdr: "asm/unistd.h", defs: []string{"__s390x__"}},
	{file: "sh", abis: []string{"sh", "sheb"}, dir: "sh", hdr: "asm/unistd.h"},
}

// The data file names.
const (
	pseudoFile = "pseudo.txt"     // "name number": libseccomp's __PNR_* values
	namesFile  = "libseccomp.txt" // one name a line: every syscall libseccomp knows
)

// A call is one line of a table file.
type call struct {
	name string
	nr   int32
}

// db is everything the data files say.
type db struct {
	pseudo     []call          // in file order: the first of a shared number wins
	libseccomp map[string]bool // names libseccomp resolves
	calls      map[string][]call
}

// load reads the data files and checks the promise the package makes: every
// name libseccomp knows resolves on every ABI, to a real number or to a
// pseudo number.
func load(dir string) (*db, error) {
	d := &db{libseccomp: map[string]bool{}, calls: map[string][]call{}}
	var err error
	if d.pseudo, err = readCalls(filepath.Join(dir, pseudoFile)); err != nil {
		return nil, err
	}
	names, err := readLines(filepath.Join(dir, namesFile))
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		d.libseccomp[n] = true
	}
	covered := map[string]bool{}
	for _, t := range tables {
		if d.calls[t.file], err = readCalls(filepath.Join(dir, t.file+".txt")); err != nil {
			return nil, err
		}
		if t.extra != "" {
			extra, err := readCalls(filepath.Join(dir, t.extra))
			if err != nil {
				return nil, err
			}
			d.calls[t.file] = append(d.calls[t.file], extra...)
		}
		for _, a := range t.abis {
			covered[a] = true
		}
	}
	for _, a := range arch.All {
		if !covered[a.Name] {
			return nil, fmt.Errorf("no table numbers ABI %s", a.Name)
		}
	}

	pseudo := map[string]bool{}
	for _, p := range d.pseudo {
		if p.nr >= 0 {
			return nil, fmt.Errorf("%s: pseudo number %d of %s is not negative", pseudoFile, p.nr, p.name)
		}
		if pseudo[p.name] {
			return nil, fmt.Errorf("%s: %s listed twice", pseudoFile, p.name)
		}
		pseudo[p.name] = true
	}
	for _, t := range tables {
		have := map[string]bool{}
		for _, c := range d.calls[t.file] {
			if have[c.name] {
				return nil, fmt.Errorf("%s.txt: %s listed twice", t.file, c.name)
			}
			have[c.name] = true
		}
		for _, n := range names {
			if !have[n] && !pseudo[n] {
				return nil, fmt.Errorf("%s: libseccomp knows %s but it has neither a number nor a pseudo number", t.file, n)
			}
		}
	}
	return d, nil
}

// allNames is every name libseccomp resolves or some table numbers,
// sorted. A name with only a pseudo number (oldwait4 in 2.6.1) is left
// out: libseccomp's header defines the number but its resolver does not
// know the name.
func (d *db) allNames() []string {
	set := map[string]bool{}
	for n := range d.libseccomp {
		set[n] = true
	}
	for _, cs := range d.calls {
		for _, c := range cs {
			set[c.name] = true
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// readLines returns the non-blank lines of path that are not "#" comments.
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
	}
	return lines, sc.Err()
}

// readCalls reads a "name number" file.
func readCalls(path string) ([]call, error) {
	lines, err := readLines(path)
	if err != nil {
		return nil, err
	}
	calls := make([]call, 0, len(lines))
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("%s: malformed line %q", path, line)
		}
		nr, err := strconv.ParseInt(f[1], 0, 32)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %v", path, line, err)
		}
		calls = append(calls, call{f[0], int32(nr)})
	}
	return calls, nil
}

// writeCalls writes a "name number" file under a comment header.
func writeCalls(path string, header []string, calls []call, hex bool) error {
	var b strings.Builder
	for _, h := range header {
		fmt.Fprintf(&b, "# %s\n", h)
	}
	for _, c := range calls {
		if hex {
			fmt.Fprintf(&b, "%s %#x\n", c.name, c.nr)
		} else {
			fmt.Fprintf(&b, "%s %d\n", c.name, c.nr)
		}
	}
	return writeFile(path, []byte(b.String()))
}
