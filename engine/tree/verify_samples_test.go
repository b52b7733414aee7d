package tree

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAround holds around to what it replaces: every datum's neighbours
// appended to the other words, sorted and compacted.
func TestAround(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func() uint32 {
		switch r.IntN(4) {
		case 0:
			return uint32(r.IntN(8))
		case 1:
			return ^uint32(r.IntN(8))
		case 2:
			return 1<<31 + uint32(r.IntN(8)) - 4
		}
		return r.Uint32()
	}
	for range 20000 {
		var ds, ex []uint32
		for range r.IntN(12) {
			ds = append(ds, pick())
		}
		if len(ds) > 0 || r.IntN(2) == 0 {
			ex = append(ex, 0, ^uint32(0))
		}
		for range r.IntN(6) {
			ex = append(ex, pick())
		}
		var want []uint32
		want = append(want, ex...)
		for _, d := range ds {
			want = append(want, d-1, d, d+1)
		}
		want = sortCompact(want)
		got := around(sortCompact(slices.Clone(ds)), sortCompact(slices.Clone(ex)), nil)
		if !slices.Equal(got, want) {
			t.Fatalf("around(%#x, %#x) = %#x, want %#x", ds, ex, got, want)
		}
	}
}
