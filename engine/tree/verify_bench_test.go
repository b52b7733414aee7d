package tree

import (
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
)

// verifyRule is a rule of the benchmark policies, on host numbers.
type verifyRule struct {
	act   policy.Action
	nr    int32
	conds []policy.Cond
}

func verifyCond(t testing.TB, arg uint, op policy.Op, a, b uint64) policy.Cond {
	t.Helper()
	c, err := policy.NewCond(arg, op, a, b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// verifyDockerLike is shaped like Docker's default profile on x86_64: most
// numbers allowed, a few dozen left to the default, and a handful of
// syscalls decided by their arguments.
func verifyDockerLike(t testing.TB) (def policy.Action, rules []verifyRule) {
	denied := map[int32]bool{}
	for _, nr := range []int32{101, 134, 136, 139, 153, 154, 155, 156, 159, 163, 167, 168, 169, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 205, 211, 212, 214, 215, 236, 246, 250, 272, 298, 304, 308, 310, 311, 312, 313, 320, 321, 323} {
		denied[nr] = true
	}
	for nr := int32(0); nr < 335; nr++ {
		if !denied[nr] && nr != 135 && nr != 56 && nr != 41 {
			rules = append(rules, verifyRule{act: policy.ActAllow, nr: nr})
		}
	}
	for nr := int32(424); nr < 450; nr++ {
		if nr != 435 {
			rules = append(rules, verifyRule{act: policy.ActAllow, nr: nr})
		}
	}
	rules = append(rules, verifyRule{act: policy.Errno(38), nr: 435})
	for _, v := range []uint64{0, 8, 0x20000, 0x20008, 0xffffffff} {
		rules = append(rules, verifyRule{policy.ActAllow, 135, []policy.Cond{verifyCond(t, 0, policy.OpEQ, v, 0)}})
	}
	rules = append(rules, verifyRule{policy.ActAllow, 56, []policy.Cond{verifyCond(t, 0, policy.OpMaskedEQ, 0x7e020000, 0)}})
	// Docker lists the socket families it allows one by one.
	for _, af := range []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30} {
		rules = append(rules, verifyRule{policy.ActAllow, 41, []policy.Cond{verifyCond(t, 0, policy.OpEQ, af, 0)}})
	}
	return policy.Errno(1), rules
}

// verifyIoctlLike allows 200 ioctl commands, as the bench's ioctl policy does.
func verifyIoctlLike(t testing.TB) (def policy.Action, rules []verifyRule) {
	for i := range 200 {
		dir, size, typ, nr := uint64(i%4), uint64(8*(1+i%8)), uint64(0x40+i/32), uint64(i%32)
		cmd := dir<<30 | size<<16 | typ<<8 | nr
		rules = append(rules, verifyRule{policy.ActAllow, 16, []policy.Cond{verifyCond(t, 1, policy.OpEQ, cmd, 0)}})
	}
	return policy.Errno(1), rules
}

func verifyFilter(t testing.TB, def policy.Action, rules []verifyRule, archs ...string) *policy.Filter {
	t.Helper()
	f, err := policy.New(def)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range archs {
		if err := f.AddArch(arch.MustByName(name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range rules {
		// Some numbers have no counterpart on the other ABIs; the
		// benchmark only needs most of them.
		_ = f.AddRule(r.act, r.nr, r.conds, false)
	}
	return f
}

// BenchmarkVerify measures the self-check alone, as GenerateVerified runs
// it after generating.
func BenchmarkVerify(b *testing.B) {
	if arch.Host().Name != "x86_64" {
		b.Skip("policies use x86_64 numbers")
	}
	for _, c := range []struct {
		name   string
		policy func(testing.TB) (policy.Action, []verifyRule)
		archs  []string
	}{
		{"docker", verifyDockerLike, nil},
		{"docker3", verifyDockerLike, []string{"x86", "x32"}},
		{"ioctl", verifyIoctlLike, nil},
	} {
		def, rules := c.policy(b)
		f := verifyFilter(b, def, rules, c.archs...)
		prog, plans, err := generate(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := verify(f, prog, plans); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
