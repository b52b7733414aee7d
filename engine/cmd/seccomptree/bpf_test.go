package main

import (
	"fmt"
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
