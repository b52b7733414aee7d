package tree

import (
	"math/rand/v2"
	"testing"

	"github.com/seccomptree/seccomptree/engine/policy"
)

// TestDecider holds the self-check's flattened policy to policy's own
// Decide, on random rule sets shaped to make long runs of equality tests
// (the part decider searches) next to every other kind of test.
func TestDecider(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	values := func() uint64 {
		switch r.IntN(4) {
		case 0:
			return uint64(r.IntN(24))
		case 1:
			return uint64(r.IntN(24)) << 32
		case 2:
			return ^uint64(r.IntN(3))
		}
		return r.Uint64()
	}
	ops := []policy.Op{policy.OpEQ, policy.OpEQ, policy.OpEQ, policy.OpNE, policy.OpLT, policy.OpLE, policy.OpGE, policy.OpGT, policy.OpMaskedEQ}
	acts := []policy.Action{policy.ActAllow, policy.Errno(2), policy.ActTrap, policy.ActLog}
	for range 120 {
		f, err := policy.New(policy.Errno(1))
		if err != nil {
			t.Fatal(err)
		}
		for range 1 + r.IntN(40) {
			var conds []policy.Cond
			args := r.Perm(3)[:1+r.IntN(2)]
			if r.IntN(2) == 0 {
				args = []int{1} // many tests of one word make runs
			}
			for _, a := range args {
				op := ops[r.IntN(len(ops))]
				conds = append(conds, verifyCond(t, uint(a), op, values(), values()))
			}
			_ = f.AddRule(acts[r.IntN(len(acts))], 16, conds, false)
		}
		sc := f.Tables[0].Syscalls[16]
		if sc == nil || sc.Rules == nil {
			continue
		}
		var smp sampler
		smp.load(sc, f.Attrs.Default)
		check := func(_ int, args *[policy.MaxArgs]uint64, words *[2 * policy.MaxArgs]uint32) error {
			if got, want := smp.decide(words), sc.Decide(*args, f.Attrs.Default); got != want {
				t.Fatalf("args %#x: decider %v, Decide %v\n%v", *args, got, want, sc.Rules)
			}
			return nil
		}
		defer func(b int) { ArgSampleBudget = b }(ArgSampleBudget)
		ArgSampleBudget = 0
		smp.each(check)
		for range 50 {
			var args [policy.MaxArgs]uint64
			var words [2 * policy.MaxArgs]uint32
			for i := range 3 {
				args[i] = values()
				words[2*i], words[2*i+1] = uint32(args[i]), uint32(args[i]>>32)
			}
			check(0, &args, &words)
		}
	}
}
