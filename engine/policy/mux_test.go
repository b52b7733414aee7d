package policy

import (
	"errors"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// hostNr is the host's number for name, or its pseudo number, as
// SCMP_SYS(name) gives it.
func hostNr(t *testing.T, name string) int32 {
	t.Helper()
	nr, ok := syscalls.Number(arch.Host(), name)
	if !ok {
		t.Fatalf("host does not resolve %s", name)
	}
	return nr
}

// onlyArch returns a filter covering just ABI name.
func onlyArch(t *testing.T, def Action, name string) *Filter {
	t.Helper()
	f, err := New(def)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveArch(arch.Host()); err != nil {
		t.Fatal(err)
	}
	if err := f.AddArch(arch.MustByName(name)); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestMultiplexedRules(t *testing.T) {
	type call struct {
		nr   int32
		args [MaxArgs]uint64
		want Action
	}
	tests := []struct {
		name  string
		abi   string
		rule  string // host syscall name
		conds []Cond
		calls []call
	}{
		{name: "socket both ways", abi: "x86", rule: "socket", calls: []call{
			{nr: 359, want: Errno(1)},
			{nr: 102, args: [MaxArgs]uint64{1}, want: Errno(1)},
			{nr: 102, args: [MaxArgs]uint64{2}, want: ActAllow},
			{nr: 102, args: [MaxArgs]uint64{1 << 32}, want: ActAllow}, // 32-bit ABI: low word 0
		}},
		{name: "recv has no direct call on x86", abi: "x86", rule: "recv", calls: []call{
			{nr: 102, args: [MaxArgs]uint64{10}, want: Errno(1)},
			{nr: 102, args: [MaxArgs]uint64{12}, want: ActAllow},
		}},
		{name: "A0 condition replaced on the multiplexer", abi: "x86", rule: "socket",
			conds: []Cond{cmp(0, OpEQ, 2), cmp(1, OpEQ, 5)}, calls: []call{
				{nr: 359, args: [MaxArgs]uint64{2, 5}, want: Errno(1)},
				{nr: 359, args: [MaxArgs]uint64{1, 5}, want: ActAllow},
				{nr: 102, args: [MaxArgs]uint64{1, 5}, want: Errno(1)},
				{nr: 102, args: [MaxArgs]uint64{2, 5}, want: ActAllow},
				{nr: 102, args: [MaxArgs]uint64{1, 6}, want: ActAllow},
			}},
		{name: "shmget through ipc on s390x", abi: "s390x", rule: "shmget", calls: []call{
			{nr: 395, want: Errno(1)},
			{nr: 117, args: [MaxArgs]uint64{23}, want: Errno(1)},
			{nr: 117, args: [MaxArgs]uint64{23 | 1<<32}, want: ActAllow}, // 64-bit ABI: whole word
			{nr: 117, args: [MaxArgs]uint64{22}, want: ActAllow},
		}},
		{name: "mips o32 bases both numbers", abi: "mips", rule: "connect", calls: []call{
			{nr: 4170, want: Errno(1)},
			{nr: 4102, args: [MaxArgs]uint64{3}, want: Errno(1)},
			{nr: 102, args: [MaxArgs]uint64{3}, want: ActAllow},
		}},
		{name: "no multiplexing on aarch64", abi: "aarch64", rule: "socket", calls: []call{
			{nr: 198, want: Errno(1)},
		}},
		{name: "rule on the multiplexer itself", abi: "ppc", rule: "socketcall", calls: []call{
			{nr: 102, args: [MaxArgs]uint64{7}, want: Errno(1)},
			{nr: 326, want: ActAllow},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := onlyArch(t, ActAllow, tc.abi)
			if err := f.AddRule(Errno(1), hostNr(t, tc.rule), tc.conds, false); err != nil {
				t.Fatalf("AddRule: %v", err)
			}
			tok := arch.MustByName(tc.abi).KernelToken()
			for _, c := range tc.calls {
				if got := f.Evaluate(tok, uint32(c.nr), c.args); got != c.want {
					t.Errorf("nr %d args %#x: %v, want %v", c.nr, c.args, got, c.want)
				}
			}
		})
	}
}

func TestMultiplexedRuleErrors(t *testing.T) {
	withArgs := []Cond{cmp(1, OpEQ, 1)}
	tests := []struct {
		name  string
		abi   string
		rule  string
		conds []Cond
		exact bool
		want  error
	}{
		{name: "exact without args", abi: "x86", rule: "socket", exact: true},
		{name: "exact pseudo-only call", abi: "x86", rule: "recv", exact: true},
		{name: "exact with args", abi: "x86", rule: "socket", conds: withArgs, exact: true, want: ErrInvalid},
		{name: "exact with args on s390", abi: "s390", rule: "semop", conds: withArgs, exact: true, want: ErrInvalid},
		{name: "exact with args, no multiplexing", abi: "aarch64", rule: "socket", conds: withArgs, exact: true},
		{name: "exact on a call aarch64 lacks", abi: "aarch64", rule: "open", exact: true, want: ErrDomain},
		{name: "exact on a call s390x lacks", abi: "s390x", rule: "arch_prctl", exact: true, want: ErrDomain},
		{name: "a call s390x lacks", abi: "s390x", rule: "arch_prctl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := onlyArch(t, ActAllow, tc.abi)
			nr := hostNr(t, tc.rule)
			err := f.AddRule(Errno(1), nr, tc.conds, tc.exact)
			if !errors.Is(err, tc.want) {
				t.Errorf("AddRule = %v, want %v", err, tc.want)
			}
			if err != nil && len(f.Tables[0].Syscalls) != 0 {
				t.Errorf("a refused rule left %d entries", len(f.Tables[0].Syscalls))
			}
		})
	}
}

func TestMultiplexedPriority(t *testing.T) {
	f := onlyArch(t, ActAllow, "x86")
	if err := f.SetPriority(hostNr(t, "socket"), 200); err != nil {
		t.Fatal(err)
	}
	if err := f.SetPriority(hostNr(t, "socket"), 100); err != nil {
		t.Fatal(err)
	}
	if err := f.SetPriority(hostNr(t, "arch_prctl"), 50); err != nil {
		t.Fatal(err) // x86 has arch_prctl
	}
	if err := f.SetPriority(hostNr(t, "uselib"), 50); err != nil {
		t.Fatal(err)
	}
	got := map[int32]uint8{}
	for nr, s := range f.Tables[0].Syscalls {
		got[nr] = s.Priority
	}
	want := map[int32]uint8{102: 200, 384: 50, 86: 50}
	if len(got) != len(want) {
		t.Errorf("entries %v, want %v", got, want)
	}
	for nr, p := range want {
		if got[nr] != p {
			t.Errorf("priority of %d = %d, want %d (all: %v)", nr, got[nr], p, got)
		}
	}
}
