package policy

import (
	"math/rand/v2"
	"testing"
)

// TestUniformActionNeverRefused pins the fact the C API's fast path rests
// on (capi/fast.c): on a filter with one ABI, rules that all carry the same
// action, with valid comparisons, merge without error in any number and
// order, unconditional or not. Only two different actions meeting on one
// test can make a merge fail. The second half checks that the property is
// not vacuous: the same generator with mixed actions does hit refusals.
func TestUniformActionNeverRefused(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	// Few distinct values, so that rules overlap and merge in every way
	// the graph allows: equal tests, tests on the same argument in
	// different orders, 64-bit values sharing a high word.
	values := []uint64{0, 1, 2, 40, 1 << 32, 1<<32 | 1, ^uint64(0)}
	randConds := func() []Cond {
		var conds []Cond
		for _, arg := range r.Perm(MaxArgs)[:r.IntN(4)] {
			op := Op(1 + r.IntN(int(OpMaskedEQ)))
			a, b := values[r.IntN(len(values))], values[r.IntN(len(values))]
			c, err := NewCond(uint(arg), op, a, b)
			if err != nil {
				t.Fatal(err)
			}
			conds = append(conds, c)
		}
		return conds
	}
	const nr = 41
	refused := 0
	for round := range 2000 {
		mixed := round%2 == 1
		f, err := New(ActKillProcess)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 12 {
			act := ActAllow
			if mixed && r.IntN(2) == 0 {
				act = Errno(1)
			}
			conds := randConds()
			err := f.AddRule(act, nr, conds, i%3 == 0)
			if err == nil {
				continue
			}
			if !mixed {
				t.Fatalf("round %d, rule %d (%v): %v", round, i, conds, err)
			}
			refused++
		}
	}
	if refused == 0 {
		t.Errorf("mixed actions were never refused: the generator cannot tell")
	}
}
