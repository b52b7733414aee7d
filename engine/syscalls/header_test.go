package syscalls

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
)

const (
	ourHeader    = "../../seccomp-syscalls.h"
	systemHeader = "/usr/include/seccomp-syscalls.h"
)

var snrDefine = regexp.MustCompile(`(?m)^#define\s+__SNR_(\w+)\s`)

// headerValues compiles and runs a program that prints, for every name,
// what SCMP_SYS(name) is through header (after prelude), and the build's
// __NR_name. A name whose __SNR_ would expand to an undefined __NR_ is left
// out, as a program using it would not compile.
func headerValues(t *testing.T, gcc, header, prelude string, names []string) (snr, nr map[string]int64) {
	t.Helper()
	abs, err := filepath.Abs(header)
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	src.WriteString("#include <stdio.h>\n")
	src.WriteString(prelude)
	fmt.Fprintf(&src, "#include %q\n", abs)
	src.WriteString("int main(void)\n{\n")
	for _, n := range names {
		fmt.Fprintf(&src, "#if defined(__SNR_%[1]s) && (defined(__NR_%[1]s) || defined(__PNR_%[1]s) || defined(__ARM_NR_%[1]s))\n", n)
		fmt.Fprintf(&src, "\tprintf(\"snr %[1]s %%ld\\n\", (long)(__SNR_%[1]s));\n#endif\n", n)
		fmt.Fprintf(&src, "#ifdef __NR_%[1]s\n\tprintf(\"nr %[1]s %%ld\\n\", (long)(__NR_%[1]s));\n#endif\n", n)
	}
	src.WriteString("\treturn 0;\n}\n")

	dir := t.TempDir()
	c, bin := filepath.Join(dir, "snr.c"), filepath.Join(dir, "snr")
	if err := os.WriteFile(c, src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-std=c99", "-Wall", "-Werror", "-o", bin, c).CombinedOutput(); err != nil {
		t.Fatalf("compiling against %s: %v\n%s", header, err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	snr, nr = map[string]int64{}, map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		v, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if f[0] == "snr" {
			snr[f[1]] = v
		} else {
			nr[f[1]] = v
		}
	}
	return snr, nr
}

// TestHeader compiles SCMP_SYS()'s expansion of every name against our
// generated header and against the system's libseccomp header, and checks
// they agree with each other and with our tables.
func TestHeader(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc")
	}
	names := Names()
	theirs, err := os.ReadFile(systemHeader)
	haveSystem := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	for _, m := range snrDefine.FindAllStringSubmatch(string(theirs), -1) {
		if _, ok := slices.BinarySearch(names, m[1]); !ok {
			t.Errorf("%s defines __SNR_%s, our header does not", systemHeader, m[1])
			names = append(names, m[1])
		}
	}

	// Ours must stand alone.
	ours, kernel := headerValues(t, gcc, ourHeader, "", names)
	host := arch.Host()
	for _, n := range Names() {
		got, ok := ours[n]
		if kv, defined := kernel[n]; defined {
			// The build's kernel headers have the call: SCMP_SYS gives
			// their number, and our tables must know it too.
			if !ok || got != kv {
				t.Errorf("__SNR_%s = %d, %t; want __NR_%s = %d", n, got, ok, n, kv)
			}
			if want, _ := Number(host, n); int64(want) != kv {
				t.Errorf("%s: Number(%s) = %d, build headers say %d", n, host, want, kv)
			}
			continue
		}
		if p, hasPseudo := Pseudo(n); hasPseudo {
			if !ok || got != int64(p) {
				t.Errorf("__SNR_%s = %d, %t; want __PNR_%s = %d", n, got, ok, n, p)
			}
		} else if ok {
			t.Errorf("__SNR_%s = %d without __NR_ or __PNR_", n, got)
		}
	}
	if len(ours) < len(Names())*3/4 {
		t.Errorf("only %d of %d names usable", len(ours), len(Names()))
	}

	if !haveSystem {
		t.Logf("no %s; skipping the comparison with libseccomp's header", systemHeader)
		return
	}
	// libseccomp's refuses to be included except through seccomp.h, and
	// relies on it for <asm/unistd.h>: stand in for seccomp.h.
	sys, _ := headerValues(t, gcc, systemHeader, "#define _SECCOMP_H\n#include <asm/unistd.h>\n", names)
	t.Logf("%d names through our header, %d through %s", len(ours), len(sys), systemHeader)
	if len(sys) < 300 {
		t.Errorf("only %d names from %s", len(sys), systemHeader)
	}
	for n, v := range sys {
		if got, ok := ours[n]; !ok || got != v {
			t.Errorf("__SNR_%s: ours %d (%t), %s %d", n, got, ok, systemHeader, v)
		}
	}
}

// TestHeaderUpToDate regenerates nothing but checks that the committed
// header and tables came from the same data, by spot-checking that every
// pseudo number in the header is the package's.
func TestHeaderUpToDate(t *testing.T) {
	b, err := os.ReadFile(ourHeader)
	if err != nil {
		t.Fatal(err)
	}
	defs := map[string]int32{}
	for _, m := range pnrDefine.FindAllStringSubmatch(string(b), -1) {
		v, _ := strconv.Atoi(m[2])
		defs[m[1]] = int32(v)
	}
	for _, n := range Names() {
		p, ok := Pseudo(n)
		if d, def := defs[n]; ok != def || d != p {
			t.Errorf("%s: header __PNR_ %d (%t), package %d (%t)", n, d, def, p, ok)
		}
	}
	snrs := map[string]bool{}
	for _, m := range snrDefine.FindAllStringSubmatch(string(b), -1) {
		snrs[m[1]] = true
	}
	for _, n := range Names() {
		if !snrs[n] {
			t.Errorf("header lacks __SNR_%s", n)
		}
	}
}
