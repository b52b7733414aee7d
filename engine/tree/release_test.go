package tree

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// randomFilter builds a filter of n rules on random syscall numbers with
// random actions, some with argument conditions, over the host ABI and
// perhaps one more, reserving room first when reserve is set.
func randomFilter(t *testing.T, rng *rand.Rand, n int, reserve bool) *policy.Filter {
	t.Helper()
	f, err := policy.New(policy.Errno(1))
	if err != nil {
		t.Fatal(err)
	}
	if rng.Intn(3) == 0 {
		for _, name := range []string{"x86", "x32", "aarch64"} {
			if a, ok := arch.ByName(name); ok && a != arch.Host() && f.AddArch(a) == nil {
				break
			}
		}
	}
	if reserve {
		f.Reserve(n)
	}
	acts := []policy.Action{policy.ActAllow, policy.Errno(13), policy.ActTrap}
	for range n {
		nr := int32(rng.Intn(460))
		var conds []policy.Cond
		if rng.Intn(5) == 0 {
			c, err := policy.NewCond(uint(rng.Intn(3)), policy.OpEQ, uint64(rng.Intn(8)), 0)
			if err != nil {
				t.Fatal(err)
			}
			conds = append(conds, c)
		}
		// Conflicts and unknown numbers are refused; what is accepted is
		// the filter.
		_ = f.AddRule(acts[rng.Intn(len(acts))], nr, conds, false)
	}
	return f
}

// TestReleasedMemory: a filter built in the memory a released filter
// left behind makes the same program as one built without it, whatever
// the released filter held; and the released filter keeps nothing.
func TestReleasedMemory(t *testing.T) {
	for seed := range 150 {
		size := []int{3, 40, 300}[seed%3]
		build := func() *policy.Filter {
			return randomFilter(t, rand.New(rand.NewSource(int64(seed))), size, seed%2 == 0)
		}
		want, err := Generate(build())
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(int64(seed + 1000)))
		for range 1 + rng.Intn(5) {
			other := randomFilter(t, rng, []int{5, 80, 400}[rng.Intn(3)], rng.Intn(2) == 0)
			if _, err := Generate(other); err != nil {
				t.Fatal(err)
			}
			other.Release()
			if len(other.Tables) != 0 {
				t.Fatalf("seed %d: a released filter kept %d tables", seed, len(other.Tables))
			}
		}
		f := build()
		got, err := GenerateVerified(f)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: the program changed in reused memory:\n%s\nwant\n%s", seed, sim.Disassemble(got), sim.Disassemble(want))
		}
		f.Release()
	}
}
