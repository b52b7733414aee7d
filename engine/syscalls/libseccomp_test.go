package syscalls

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// upstreamDir is a libseccomp 2.6.1 source tree, read by these tests only.
func upstreamDir() string {
	if d := os.Getenv("SECCOMPTREE_LIBSECCOMP_SRC"); d != "" {
		return d
	}
	return "/work/upstream/libseccomp"
}

func readUpstream(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(upstreamDir(), rel))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no libseccomp source at %s (set SECCOMPTREE_LIBSECCOMP_SRC)", upstreamDir())
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// csvColumn is the column of libseccomp's syscalls.csv that numbers an
// ABI; byte-order twins share one.
var csvColumn = map[string]string{
	"mipsel": "mips", "mipsel64": "mips64", "mipsel64n32": "mips64n32",
	"ppc64le": "ppc64", "sheb": "sh",
}

// csvNumber turns a syscalls.csv cell into the kernel's number: the table
// stores MIPS and x32 numbers without their ABI's base.
func csvNumber(a *arch.Arch, cell string) (int32, error) {
	n, err := strconv.ParseInt(cell, 10, 32)
	if err != nil {
		return 0, err
	}
	nr := int32(n)
	if a.IsX32Sibling() {
		return nr | arch.X32SyscallBit, nil
	}
	return nr + mipsBase(a), nil
}

// deviations are the places where the kernel headers the tables come from
// and libseccomp 2.6.1's table disagree, with the reason ours is kept. The
// test fails on any other difference, and on an entry here that no longer
// differs.
var deviations = map[string]string{
	"loongarch64 memfd_secret": "Linux 7.2 wires memfd_secret (447) on loongarch64; 2.6.1's table predates it",
}

// TestLibseccompTable compares every ABI and every name of libseccomp
// 2.6.1's syscalls.csv with our tables.
func TestLibseccompTable(t *testing.T) {
	rd := csv.NewReader(strings.NewReader(string(readUpstream(t, "src/syscalls.csv"))))
	rd.FieldsPerRecord = -1
	records, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := records[0]
	index := map[string]int{}
	for i, h := range header {
		index[h] = i
	}

	known := map[string]bool{}
	seen := map[string]bool{}
	var mismatches []string
	for _, rec := range records[1:] {
		name := rec[0]
		known[name] = true
		if r := rowOf(name); r == nil || !r.libseccomp {
			t.Errorf("%s: in syscalls.csv but not marked as known to libseccomp", name)
		}
		for _, a := range arch.All {
			colName := a.Name
			if c, ok := csvColumn[colName]; ok {
				colName = c
			}
			i, ok := index[colName]
			if !ok {
				t.Fatalf("syscalls.csv has no column %s", colName)
			}
			got, ok := Number(a, name)
			if !ok {
				t.Errorf("%s %s: does not resolve", a, name)
				continue
			}
			var want int32
			if rec[i] == "PNR" {
				p, ok := Pseudo(name)
				if !ok {
					t.Errorf("%s: PNR in syscalls.csv but no pseudo number", name)
					continue
				}
				want = p
			} else if want, err = csvNumber(a, rec[i]); err != nil {
				t.Fatalf("%s %s: %v", a, name, err)
			}
			if got == want {
				continue
			}
			key := a.Name + " " + name
			if colName != a.Name {
				key = colName + " " + name
			}
			if _, ok := deviations[key]; ok {
				seen[key] = true
				continue
			}
			mismatches = append(mismatches, fmt.Sprintf("%s %s: ours %d, libseccomp %d", a, name, got, want))
		}
	}
	for _, m := range mismatches {
		t.Error(m)
	}
	for key, why := range deviations {
		if !seen[key] {
			t.Errorf("deviation %q (%s) no longer occurs; remove it", key, why)
		}
		if strings.HasPrefix(key, "x86_64 ") || strings.HasPrefix(key, "aarch64 ") {
			t.Errorf("deviation %q: x86_64 and aarch64 must match libseccomp exactly", key)
		}
	}
	for _, r := range rows {
		if r.libseccomp && !known[r.name] {
			t.Errorf("%s: marked as known to libseccomp but not in syscalls.csv", r.name)
		}
		if !known[r.name] {
			t.Logf("%s: known here, not to libseccomp 2.6.1", r.name)
		}
	}
}

var pnrDefine = regexp.MustCompile(`(?m)^#define\s+__PNR_(\w+)\s+(-?\d+)\s*$`)

// TestLibseccompPseudo checks every pseudo number against libseccomp's
// header, and that our generated header defines the same set.
func TestLibseccompPseudo(t *testing.T) {
	upstream := pnrDefine.FindAllStringSubmatch(string(readUpstream(t, "include/seccomp-syscalls.h")), -1)
	ours, err := os.ReadFile("../../seccomp-syscalls.h")
	if err != nil {
		t.Fatal(err)
	}
	ourDefs := map[string]string{}
	for _, m := range pnrDefine.FindAllStringSubmatch(string(ours), -1) {
		ourDefs[m[1]] = m[2]
	}
	if len(upstream) < 200 {
		t.Fatalf("only %d __PNR_ definitions upstream", len(upstream))
	}
	for _, m := range upstream {
		name, value := m[1], m[2]
		if ourDefs[name] != value {
			t.Errorf("__PNR_%s: our header says %q, libseccomp %s", name, ourDefs[name], value)
		}
		delete(ourDefs, name)
		want, _ := strconv.Atoi(value)
		if rowOf(name) == nil {
			continue // a pseudo number for a name libseccomp cannot resolve
		}
		if got, ok := Pseudo(name); !ok || got != int32(want) {
			t.Errorf("Pseudo(%s) = %d, %t; want %d", name, got, ok, want)
		}
	}
	for name := range ourDefs {
		t.Errorf("__PNR_%s: not in libseccomp's header", name)
	}
}
