package tree

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// TestVerify checks that the self-check accepts generated programs and
// catches a program that decides one syscall differently.
func TestVerify(t *testing.T) {
	f, err := policy.New(policy.ActKillProcess)
	if err != nil {
		t.Fatal(err)
	}
	for _, nr := range []int32{0, 1, 2, 3, 60, 231, 500} {
		if err := f.AddRule(policy.ActAllow, nr, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	prog, err := Generate(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(f, prog); err != nil {
		t.Fatalf("generated program rejected: %v", err)
	}
	// Flip one return: some syscall now gets another action.
	bad := append(prog[:0:0], prog...)
	for i := range bad {
		if bad[i].Op == opRet && bad[i].K == uint32(policy.ActAllow) {
			bad[i].K = uint32(policy.Errno(1))
			break
		}
	}
	if err := Verify(f, bad); err == nil || !strings.Contains(err.Error(), "policy says ALLOW") {
		t.Errorf("tampered program accepted (err %v)", err)
	}
	// Widen one comparison by one: the neighbouring number changes side.
	bad = append(prog[:0:0], prog...)
	for i := range bad {
		if bad[i].Op == opJge && bad[i].K > 1 && bad[i].K < 1000 {
			bad[i].K++
			break
		}
	}
	if err := Verify(f, bad); err == nil {
		t.Errorf("off-by-one program accepted")
	}
}

// TestVerifyArgs checks that the self-check looks at argument tests: a
// program whose comparison constant is off by one is caught.
func TestVerifyArgs(t *testing.T) {
	f, err := policy.New(policy.Errno(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint64{0x5401, 0x5402, 1 << 40} {
		c, _ := policy.NewCond(1, policy.OpEQ, v, 0)
		if err := f.AddRule(policy.ActAllow, 16, []policy.Cond{c}, false); err != nil {
			t.Fatal(err)
		}
	}
	prog, err := GenerateVerified(f)
	if err != nil {
		t.Fatalf("generated program rejected: %v", err)
	}
	for i := range prog {
		if prog[i].Op != opJeq || prog[i].K != 0x5402 {
			continue
		}
		bad := append(prog[:0:0], prog...)
		bad[i].K++
		if err := Verify(f, bad); err == nil {
			t.Errorf("argument constant changed at %d, program accepted", i)
		}
		return
	}
	t.Fatal("no comparison with 0x5402 in the program")
}

// corruptionPolicy mixes what a search and its argument code have to
// decide: runs of allowed numbers, single numbers with other actions, and
// argument rules of every kind, on host (x86_64) numbers.
func corruptionPolicy(t testing.TB) (policy.Action, []verifyRule) {
	var rules []verifyRule
	for _, nr := range []int32{0, 1, 2, 3, 4, 5, 8, 9, 60, 231, 302} {
		rules = append(rules, verifyRule{act: policy.ActAllow, nr: nr})
	}
	rules = append(rules,
		verifyRule{act: policy.ActKillProcess, nr: 59},
		verifyRule{act: policy.Errno(38), nr: 435},
		verifyRule{act: policy.ActTrap, nr: 6},
		verifyRule{policy.ActAllow, 16, []policy.Cond{verifyCond(t, 1, policy.OpEQ, 0x5401, 0)}},
		verifyRule{policy.ActAllow, 16, []policy.Cond{verifyCond(t, 1, policy.OpEQ, 1<<40|7, 0)}},
		verifyRule{policy.Errno(2), 16, []policy.Cond{verifyCond(t, 0, policy.OpGT, 1000, 0)}},
		verifyRule{policy.ActAllow, 56, []policy.Cond{verifyCond(t, 0, policy.OpMaskedEQ, 0x7e020000, 0)}},
		verifyRule{policy.ActAllow, 41, []policy.Cond{verifyCond(t, 0, policy.OpNE, 40, 0), verifyCond(t, 2, policy.OpLE, 17, 0)}},
		verifyRule{policy.ActAllow, 72, []policy.Cond{verifyCond(t, 1, policy.OpGE, 3, 0)}},
	)
	return policy.Errno(1), rules
}

// verifyLayouts are filters over the ABI combinations the arch dispatch and the
// x32 split handle differently.
var verifyLayouts = []struct {
	name  string
	archs []string // the first replaces the host ABI
	tskip bool     // with a rule on the skip number -1
}{
	{"x86_64", []string{"x86_64"}, false},
	{"x86_64 TSKIP", []string{"x86_64"}, true},
	{"x86_64+x32", []string{"x86_64", "x32"}, false},
	{"x32", []string{"x32"}, false},
	{"x86_64+x86+x32", []string{"x86_64", "x86", "x32"}, true},
	{"mips64 (big-endian)", []string{"mips64"}, false},
}

func layoutFilter(t *testing.T, archs []string, tskip bool) *policy.Filter {
	t.Helper()
	def, rules := corruptionPolicy(t)
	f, err := policy.New(def)
	if err != nil {
		t.Fatal(err)
	}
	if tskip {
		if err := f.Set(policy.AttrTSkip, 1); err != nil {
			t.Fatal(err)
		}
		rules = append(rules, verifyRule{act: policy.ActAllow, nr: policy.SyscallSkip})
	}
	// Rules name host numbers; the tables are added first so that each
	// rule lands in every one of them under its own number.
	for _, name := range archs {
		a := arch.MustByName(name)
		if f.Table(a) == nil {
			if err := f.AddArch(a); err != nil && err != policy.ErrDomain {
				t.Fatal(err)
			}
		}
	}
	if !slices.Contains(archs, arch.Host().Name) {
		if err := f.RemoveArch(arch.Host()); err != nil {
			t.Fatal(err)
		}
		for _, name := range archs {
			if err := f.AddArch(arch.MustByName(name)); err != nil && err != policy.ErrExist {
				t.Fatal(err)
			}
		}
	}
	for _, r := range rules {
		if err := f.AddRule(r.act, r.nr, r.conds, false); err != nil {
			// The host-only filters would refuse nothing; in the
			// others some syscalls have no counterpart.
			if len(archs) == 1 && archs[0] == arch.Host().Name {
				t.Fatalf("rule %+v: %v", r, err)
			}
		}
	}
	return f
}

// verifyCorruption changes instruction i of a copy of prog; ok is false when
// it does not apply there.
type verifyCorruption struct {
	name string
	do   func(in *bpf.RawInstruction) (ok bool)
}

func verifyCondJump(in bpf.RawInstruction) bool { return in.Op&0x07 == 0x05 && in.Op != opJa }

var verifyCorruptions = []verifyCorruption{
	{"flip a return", func(in *bpf.RawInstruction) bool {
		if in.Op != opRet {
			return false
		}
		if in.K == uint32(policy.ActAllow) {
			in.K = uint32(policy.Errno(1))
		} else {
			in.K = uint32(policy.ActAllow)
		}
		return true
	}},
	{"jump constant +1", func(in *bpf.RawInstruction) bool {
		in.K++
		return verifyCondJump(*in)
	}},
	{"jump constant -1", func(in *bpf.RawInstruction) bool {
		in.K--
		return verifyCondJump(*in)
	}},
	{"swap a jump's targets", func(in *bpf.RawInstruction) bool {
		in.Jt, in.Jf = in.Jf, in.Jt
		return verifyCondJump(*in) && in.Jt != in.Jf
	}},
	{"drop a test", func(in *bpf.RawInstruction) bool {
		ok := verifyCondJump(*in) && in.Jt != in.Jf
		in.Jf = in.Jt
		return ok
	}},
	{"load another word", func(in *bpf.RawInstruction) bool {
		in.K ^= 4 // nr and arch, or the two halves of an argument
		return in.Op == opLdAbs
	}},
	{"change a mask", func(in *bpf.RawInstruction) bool {
		in.K ^= 0x20000
		return in.Op == opAnd
	}},
}

// TestVerifyCorruptions corrupts every instruction of generated programs
// in every way above and checks both directions: a program that any call
// Verify promises to check catches out is rejected, and every rejection
// names a call the corrupted program really gets wrong.
func TestVerifyCorruptions(t *testing.T) {
	if arch.Host().Name != "x86_64" {
		t.Skip("policy uses x86_64 numbers")
	}
	for _, l := range verifyLayouts {
		t.Run(l.name, func(t *testing.T) {
			f := layoutFilter(t, l.archs, l.tskip)
			prog, err := GenerateVerified(f)
			if err != nil {
				t.Fatalf("generated program rejected: %v", err)
			}
			caught := map[string]int{}
			for _, c := range verifyCorruptions {
				for i := range prog {
					bad := slices.Clone(prog)
					if !c.do(&bad[i]) || sim.Validate(bad) != nil {
						continue
					}
					verr := Verify(f, bad)
					wrong, ok := promisedMismatch(f, bad)
					switch {
					case verr == nil && ok:
						t.Errorf("%s at %d: accepted, but %s\n%s", c.name, i, wrong, sim.Disassemble(bad))
					case verr != nil:
						caught[c.name]++
						checkWitness(t, f, bad, verr)
					}
				}
			}
			for _, c := range verifyCorruptions {
				if caught[c.name] == 0 && !(c.name == "change a mask" && !verifyHasOp(prog, opAnd)) {
					t.Errorf("%s: never caught", c.name)
				}
			}
		})
	}
}

func verifyHasOp(prog []bpf.RawInstruction, op uint16) bool {
	return slices.ContainsFunc(prog, func(in bpf.RawInstruction) bool { return in.Op == op })
}

// checkWitness checks that a rejection names a call the program decides
// otherwise than the policy, as the error says.
func checkWitness(t *testing.T, f *policy.Filter, prog []bpf.RawInstruction, err error) {
	t.Helper()
	var m *MismatchError
	if !errors.As(err, &m) {
		t.Errorf("rejected without a witness: %v", err)
		return
	}
	be := f.Tables[0].Arch.BigEndian
	got, _, _ := sim.Run(prog, sim.Data{Nr: int32(m.Nr), Arch: m.Token, Args: m.Args}, be)
	want := f.Evaluate(arch.Token(m.Token), m.Nr, m.Args)
	if policy.Action(got) != m.Got || want != m.Want || got == uint32(want) {
		t.Errorf("%v: but the program returns %v and the policy says %v", err, policy.Action(got), want)
	}
}

// promisedMismatch looks for a call the program gets wrong among those
// Verify promises to check, found independently of the walk: tokens around
// the filter's, numbers around every constant the program or the tables
// hold, and the argument samples of each syscall with argument rules.
func promisedMismatch(f *policy.Filter, prog []bpf.RawInstruction) (string, bool) {
	p, err := sim.New(prog)
	if err != nil {
		return err.Error(), true
	}
	be := f.Tables[0].Arch.BigEndian
	var toks, nrs []uint32
	near := func(set *[]uint32, k uint32) { *set = append(*set, k-1, k, k+1) }
	for _, k := range []uint32{0, arch.X32SyscallBit, 0x80000000, ^uint32(0)} {
		near(&toks, k)
		near(&nrs, k)
	}
	for _, s := range f.Sections() {
		near(&toks, uint32(s.Token))
		for _, tb := range s.Tables {
			for nr := range tb.Syscalls {
				near(&nrs, uint32(nr))
			}
		}
	}
	for _, in := range prog {
		if verifyCondJump(in) {
			near(&nrs, in.K)
		}
	}
	var smp sampler
	for _, tok := range toks {
		var sec *policy.Section
		for _, s := range f.Sections() {
			if uint32(s.Token) == tok {
				sec = &s
			}
		}
		for _, nr := range nrs {
			try := func(_ int, args *[policy.MaxArgs]uint64, _ *[2 * policy.MaxArgs]uint32) error {
				got, _ := p.Run(sim.Data{Nr: int32(nr), Arch: tok, Args: *args}, be)
				if want := f.Evaluate(arch.Token(tok), nr, *args); policy.Action(got) != want {
					return fmt.Errorf("token %#x nr %#x args %#x: program %v, policy %v", tok, nr, *args, policy.Action(got), want)
				}
				return nil
			}
			err := try(0, &[policy.MaxArgs]uint64{}, nil)
			if sec != nil && !sec.Foreign(nr) {
				if sc := f.Lookup(*sec, nr); err == nil && sc != nil && sc.Rules != nil {
					smp.load(sc, f.Attrs.Default)
					err = smp.each(try)
				}
			}
			if err != nil {
				return err.Error(), true
			}
		}
	}
	return "", false
}
