package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// testFilter is an allowlist-with-exceptions on the host ABI: mkdir fails
// with EPERM, ptrace kills, and personality(a0 != 8) fails with EINVAL.
func testFilter(t *testing.T) *policy.Filter {
	t.Helper()
	f, err := policy.New(policy.ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	cond, err := policy.NewCond(0, policy.OpNE, 8, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		act   policy.Action
		name  string
		conds []policy.Cond
	}{
		{policy.Errno(1), "mkdir", nil},
		{policy.ActKillProcess, "ptrace", nil},
		{policy.Errno(22), "personality", []policy.Cond{cond}},
	} {
		if err := f.AddRule(r.act, hostNr(t, r.name), r.conds, false); err != nil {
			t.Fatalf("rule on %s: %v", r.name, err)
		}
	}
	return f
}

func TestSim(t *testing.T) {
	file := writeFilter(t, testFilter(t))
	host := arch.Host().Name
	tests := []struct {
		args []string
		out  string
		code int
	}{
		{[]string{"mkdir"}, "ERRNO(1) 0x00050001", exitNo},
		{[]string{"read"}, "ALLOW 0x7fff0000", exitOK},
		{[]string{"ptrace"}, "KILL_PROCESS 0x80000000", exitNo},
		{[]string{"personality", "8"}, "ALLOW 0x7fff0000", exitOK},
		{[]string{"personality", "9"}, "ERRNO(22) 0x00050016", exitNo},
		{[]string{"personality", "0x100000008"}, "ERRNO(22) 0x00050016", exitNo},
		{[]string{"-n", "mkdir"}, "0x00050001", exitNo},
		{[]string{strconv.Itoa(int(hostNr(t, "mkdir")))}, "ERRNO(1) 0x00050001", exitNo},
		// A call from an ABI the filter does not cover: the bad-arch action.
		{[]string{"-a", otherArch(t), "read"}, "KILL 0x00000000", exitNo},
		{[]string{"-a", host, "no_such_call"}, "", exitUsage},
		{[]string{"-a", "aarch64", "open"}, "", exitUsage}, // only a pseudo number there
		{[]string{"read", "1", "2", "3", "4", "5", "6", "7"}, "", exitUsage},
		{[]string{"read", "zz"}, "", exitUsage},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"sim", file}, tt.args...)
			out, errs, code := invoke(t, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			if got := strings.TrimSpace(out); got != tt.out {
				t.Errorf("output %q, want %q", got, tt.out)
			}
		})
	}

	out, _, _ := invoke(t, "sim", "-v", file, "read")
	if !strings.Contains(out, "instructions: ") {
		t.Errorf("sim -v: no instruction count in %q", out)
	}
}

// otherArch is an ABI the host's filters do not cover.
func otherArch(t *testing.T) string {
	if arch.Host().Name == "aarch64" {
		return "riscv64"
	}
	return "aarch64"
}

// TestSimMatchesPolicy runs sim for every host syscall and checks its
// answer against the policy's own meaning.
func TestSimMatchesPolicy(t *testing.T) {
	f := testFilter(t)
	file := writeFilter(t, f)
	host := arch.Host()
	for nr := range syscalls.Numbers(host) {
		if nr < 0 {
			continue
		}
		want := f.Evaluate(host.KernelToken(), uint32(nr), [policy.MaxArgs]uint64{})
		out, _, _ := invoke(t, "sim", "-n", file, fmt.Sprint(nr))
		if got := strings.TrimSpace(out); got != fmt.Sprintf("0x%08x", uint32(want)) {
			t.Errorf("sim %d = %s, want %s (%#x)", nr, got, want, uint32(want))
		}
	}
}

func TestDisasm(t *testing.T) {
	file := writeFilter(t, testFilter(t))
	out, errs, code := invoke(t, "disasm", file)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	host := arch.Host().Name
	for _, want := range []string{
		"ld [4]                       ; arch",
		"; arch == " + host,
		"; nr",
		"mkdir",
		"ptrace",
		"; ERRNO(1)",
		"; ERRNO(22)",
		"; KILL_PROCESS",
		"; ALLOW",
		"; a0.lo32",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("disassembly lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "unreachable") {
		t.Errorf("the generator's program has unreachable code:\n%s", out)
	}

	out, errs, code = invoke(t, "disasm", "--pfc", file)
	if code != exitOK || !strings.Contains(out, "pseudo filter code") || !strings.Contains(out, "action ERRNO(1);") {
		t.Errorf("disasm --pfc: exit %d, stderr %q, output:\n%s", code, errs, out)
	}

	bad := writeFile(t, "bad.bpf", "12345")
	if _, errs, code := invoke(t, "disasm", bad); code != exitNo || !strings.Contains(errs, "whole number") {
		t.Errorf("disasm of a truncated file: exit %d, stderr %q", code, errs)
	}
}

// TestDisasmAssume checks -a names syscalls in a program without an arch
// check, and that without it nothing is guessed.
func TestDisasmAssume(t *testing.T) {
	nr := uint32(hostNr(t, "mkdir"))
	raw := encodeProgram([]bpf.RawInstruction{
		{Op: 0x20, K: 0},          // ld [0]
		{Op: 0x15, Jf: 1, K: nr},  // jeq #mkdir
		{Op: 0x06, K: 0x00050001}, // ret ERRNO(1)
		{Op: 0x06, K: 0x7fff0000}, // ret ALLOW
	})
	file := writeFile(t, "noarch.bpf", string(raw))
	out, _, _ := invoke(t, "disasm", file)
	if strings.Contains(out, "mkdir") {
		t.Errorf("named a syscall without knowing the arch:\n%s", out)
	}
	out, _, _ = invoke(t, "disasm", "-a", "native", file)
	if !strings.Contains(out, "nr == mkdir") {
		t.Errorf("disasm -a native does not name mkdir:\n%s", out)
	}
}

func TestExplain(t *testing.T) {
	f := testFilter(t)
	file := writeFilter(t, f)
	out, errs, code := invoke(t, "explain", file)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	host := arch.Host()
	rows := 0
	allowed := 0
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) != 6 || fields[0] == "NR" {
			continue
		}
		nr, err := strconv.ParseUint(fields[0], 10, 32)
		if err != nil {
			continue
		}
		rows++
		want := f.Evaluate(host.KernelToken(), uint32(nr), [policy.MaxArgs]uint64{})
		if fields[2] != want.String() {
			t.Errorf("%s: action %s, want %s", fields[1], fields[2], want)
		}
		if want == policy.ActAllow {
			allowed++
			// The tree's promise: every unconditional allow is cached.
			if fields[4] != "yes" {
				t.Errorf("%s: allowed but not cached: %s", fields[1], line)
			}
		}
		insns, _ := strconv.Atoi(fields[3])
		depth, _ := strconv.Atoi(fields[5])
		if depth < 1 || depth >= insns {
			t.Errorf("%s: depth %d with %d instructions", fields[1], depth, insns)
		}
	}
	n := 0
	for nr := range syscalls.Numbers(host) {
		if nr >= 0 {
			n++
		}
	}
	if rows != n {
		t.Errorf("%d rows, want one per syscall of %s (%d)", rows, host.Name, n)
	}
	summary := fmt.Sprintf("%s: %d syscalls,", host.Name, n)
	if !strings.Contains(out, summary) || !strings.Contains(out, fmt.Sprintf("%d allowed, %d of them cached", allowed, allowed)) {
		t.Errorf("summary wrong, want %q and %d allowed:\n%s", summary, allowed, out)
	}
	if !strings.Contains(out, "instructions  syscalls") {
		t.Errorf("no histogram:\n%s", out)
	}
}

// foreignFilter is an allow-all filter for otherArch only: every host call
// meets its arch check and gets the bad-arch action.
func foreignFilter(t *testing.T) *policy.Filter {
	t.Helper()
	f, err := policy.New(policy.ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddArch(arch.MustByName(otherArch(t))); err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveArch(arch.Host()); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestExplainCompare(t *testing.T) {
	host := arch.Host()
	n := 0
	for nr := range syscalls.Numbers(host) {
		if nr >= 0 {
			n++
		}
	}
	base := writeFilter(t, testFilter(t))
	same := writeFilter(t, testFilter(t))
	// The same policy but for one more rule: rmdir fails with EACCES.
	moreF := testFilter(t)
	if err := moreF.AddRule(policy.Errno(13), hostNr(t, "rmdir"), nil, false); err != nil {
		t.Fatal(err)
	}
	more := writeFilter(t, moreF)
	foreign := writeFilter(t, foreignFilter(t))
	// Allow every host call, with and without an arch check: either
	// gives every host call one decision, but neither is refused, the
	// first because it checks for the host's arch, the second because it
	// checks for none.
	allow := writeFile(t, "allow.bpf", string(encodeProgram([]bpf.RawInstruction{
		{Op: 0x20, K: 4}, // ld [4]
		{Op: 0x15, Jf: 1, K: uint32(host.KernelToken())}, // jeq #host
		{Op: 0x06, K: 0x7fff0000},                        // ret ALLOW
		{Op: 0x06, K: 0},                                 // ret KILL
	})))
	allowAny := writeFile(t, "allowany.bpf", string(encodeProgram([]bpf.RawInstruction{
		{Op: 0x06, K: 0x7fff0000}, // ret ALLOW
	})))
	// mkdir fails with EPERM, once from the engine and once by hand
	// without an arch check, which is taken to hold for every arch.
	mkdirF, err := policy.New(policy.ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	if err := mkdirF.AddRule(policy.Errno(1), hostNr(t, "mkdir"), nil, false); err != nil {
		t.Fatal(err)
	}
	mkdir := writeFilter(t, mkdirF)
	noArch := writeFile(t, "noarch.bpf", string(encodeProgram([]bpf.RawInstruction{
		{Op: 0x20, K: 0}, // ld [0]
		{Op: 0x15, Jf: 1, K: uint32(hostNr(t, "mkdir"))}, // jeq #mkdir
		{Op: 0x06, K: 0x00050001},                        // ret ERRNO(1)
		{Op: 0x06, K: 0x7fff0000},                        // ret ALLOW
	})))
	// The same, but for a check that kills another arch's calls: the
	// program checks for another arch only, yet looks at the host's
	// syscalls, so it is not refused.
	notOther := writeFile(t, "notother.bpf", string(encodeProgram([]bpf.RawInstruction{
		{Op: 0x20, K: 4}, // ld [4]
		{Op: 0x15, Jf: 1, K: uint32(arch.MustByName(otherArch(t)).KernelToken())}, // jeq #other
		{Op: 0x06, K: 0}, // ret KILL
		{Op: 0x20, K: 0}, // ld [0]
		{Op: 0x15, Jf: 1, K: uint32(hostNr(t, "mkdir"))}, // jeq #mkdir
		{Op: 0x06, K: 0x00050001},                        // ret ERRNO(1)
		{Op: 0x06, K: 0x7fff0000},                        // ret ALLOW
	})))
	truncated := writeFile(t, "truncated.bpf", "12345")
	// Whole instructions, but the kernel would refuse it: no return.
	invalid := writeFile(t, "invalid.bpf", string(encodeProgram([]bpf.RawInstruction{{Op: 0x20, K: 0}})))

	tests := []struct {
		name  string
		args  []string
		code  int
		diffs []string // names of the syscalls flagged, in order
		err   string   // in stderr
	}{
		{"identical", []string{base, same}, exitOK, nil, ""},
		{"itself", []string{base, base}, exitOK, nil, ""},
		{"identical -s", []string{"-s", base, same}, exitOK, nil, ""},
		{"one differs", []string{base, more}, exitNo, []string{"rmdir"}, ""},
		{"one differs, swapped", []string{more, base}, exitNo, []string{"rmdir"}, ""},
		{"one differs -s", []string{"-s", base, more}, exitNo, []string{"rmdir"}, ""},
		{"allow everything", []string{allow, allowAny}, exitOK, nil, ""},
		{"no arch check", []string{mkdir, noArch}, exitOK, nil, ""},
		{"checks another arch only", []string{mkdir, notOther}, exitOK, nil, ""},
		{"no arch check, one differs", []string{allow, noArch}, exitNo, []string{"mkdir"}, ""},
		{"other for the wrong arch", []string{base, foreign}, exitUsage, nil, "not a filter for " + host.Name},
		{"file for the wrong arch", []string{foreign, base}, exitUsage, nil, "not a filter for " + host.Name},
		{"truncated", []string{base, truncated}, exitUsage, nil, "whole number"},
		{"refused by the kernel", []string{invalid, base}, exitUsage, nil, "invalid.bpf"},
		{"missing", []string{base, filepath.Join(t.TempDir(), "missing.bpf")}, exitUsage, nil, "no such file"},
		{"both stdin", []string{"-", "-"}, exitUsage, nil, "standard input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := invoke(t, append([]string{"explain"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			if !strings.Contains(errs, tt.err) {
				t.Errorf("stderr %q does not contain %q", errs, tt.err)
			}
			if tt.code == exitUsage {
				if out != "" {
					t.Errorf("output after an error:\n%s", out)
				}
				return
			}
			onlyDiffs := tt.args[0] == "-s"
			rows, flagged := 0, []string(nil)
			for _, line := range strings.Split(out, "\n") {
				fields := strings.Fields(strings.TrimPrefix(line, "!"))
				if len(fields) != 6 {
					continue
				}
				if _, err := strconv.ParseUint(fields[0], 10, 32); err != nil {
					continue
				}
				rows++
				differs := fields[2] != fields[4]
				if strings.HasPrefix(line, "!") != differs {
					t.Errorf("flag wrong for %s: %q", fields[1], line)
				}
				if differs {
					flagged = append(flagged, fields[1])
				}
			}
			if strings.Join(flagged, " ") != strings.Join(tt.diffs, " ") {
				t.Errorf("flagged %q, want %q:\n%s", flagged, tt.diffs, out)
			}
			wantRows := n
			if onlyDiffs {
				wantRows = len(tt.diffs)
			}
			if rows != wantRows {
				t.Errorf("%d rows, want %d", rows, wantRows)
			}
			summary := fmt.Sprintf("%s: %d syscalls, %d decided differently\n", host.Name, n, len(tt.diffs))
			if !strings.Contains(out, summary) {
				t.Errorf("no %q in:\n%s", summary, out)
			}
			for _, label := range []string{"A: ", "B: "} {
				if !strings.Contains(out, "\n"+label) || !strings.Contains(out, " instructions long, executes mean ") {
					t.Errorf("no summary for %s in:\n%s", label, out)
				}
			}
		})
	}
}

// TestExplainCompareDecisions checks the flagged rows against the
// policies' own meaning: exactly the syscalls they decide differently, and
// each program's decision in its own column.
func TestExplainCompareDecisions(t *testing.T) {
	host := arch.Host()
	fa := testFilter(t)
	fb, err := policy.New(policy.Errno(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"read", "write", "mkdir", "exit_group"} {
		if err := fb.AddRule(policy.ActAllow, hostNr(t, name), nil, false); err != nil {
			t.Fatal(err)
		}
	}
	out, errs, code := invoke(t, "explain", writeFilter(t, fa), writeFilter(t, fb))
	if code != exitNo {
		t.Fatalf("exit %d, want %d: %s", code, exitNo, errs)
	}
	differ := 0
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(strings.TrimPrefix(line, "!"))
		if len(fields) != 6 {
			continue
		}
		nr, err := strconv.ParseUint(fields[0], 10, 32)
		if err != nil {
			continue
		}
		a := fa.Evaluate(host.KernelToken(), uint32(nr), [policy.MaxArgs]uint64{})
		b := fb.Evaluate(host.KernelToken(), uint32(nr), [policy.MaxArgs]uint64{})
		if fields[2] != a.String() || fields[4] != b.String() {
			t.Errorf("%s: %s and %s, want %s and %s", fields[1], fields[2], fields[4], a, b)
		}
		if strings.HasPrefix(line, "!") != (a != b) {
			t.Errorf("%s: flag wrong: %q", fields[1], line)
		}
		if a != b {
			differ++
		}
	}
	if differ < 2 {
		t.Errorf("only %d differences between an allowlist and a denylist", differ)
	}
	if want := fmt.Sprintf(", %d decided differently\n", differ); !strings.Contains(out, want) {
		t.Errorf("summary lacks %q:\n%s", want, out)
	}
}
