package main

import (
	"math"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// TestFloorBelowOurs: the floor is a lower bound, so no program the
// generator makes may beat it; and it is not vacuous: where argument code
// is short it is within half an instruction of what the generator
// reaches (ioctl's 200 values cost far more than the 3 the floor charges).
func TestFloorBelowOurs(t *testing.T) {
	for _, r := range engineRows(t) {
		p, st := r.p, r.st
		fl, err := floorOf(r.prog, arch.Host(), tableNumbers(r.table), argNumbers(p, r.table))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-11s ours %.3f/%d floor %.3f, %.3f at max 12", p.Name, st.Mean, st.Max, fl.Any, fl.Max12)
		short := p.Name != "ioctl"
		if fl.Any > st.Mean+1e-9 || (short && fl.Any < st.Mean-0.5) || fl.Max12 < fl.Any {
			t.Errorf("%s: floor %.3f (max 12: %.3f) against ours %.3f", p.Name, fl.Any, fl.Max12, st.Mean)
		}
		if st.Max <= 12 && fl.Max12 > st.Mean+1e-9 {
			t.Errorf("%s: floor at max 12 %.3f above ours %.3f (max %d)", p.Name, fl.Max12, st.Mean, st.Max)
		}
	}
}

func TestFloorSolver(t *testing.T) {
	one := func(dec uint64, lo uint32) floorSpan { return floorSpan{lo: lo, hi: lo, dec: dec, w: 1, cost: 1} }
	for _, tc := range []struct {
		name  string
		spans []floorSpan
		h     int
		want  float64
	}{
		// Two syscalls, one test: each pays it and its ret.
		{"split", []floorSpan{one(1, 0), one(2, 1)}, 9, 4},
		// jeq takes 1 out, and 0 and 2 share the ret.
		{"jeq", []floorSpan{one(1, 0), one(2, 1), one(1, 2)}, 9, 6},
		// Alternating decisions: one jset on bit 0 decides all four.
		{"jset", []floorSpan{one(1, 0), one(2, 1), one(1, 2), one(2, 3)}, 9, 8},
		// Not split by any bit: 0 alone, then a jeq takes 3 out of 1..4.
		{"no jset", []floorSpan{one(1, 0), {lo: 1, hi: 2, dec: 2, w: 2, cost: 1}, one(1, 3), one(2, 4)}, 9, 5 + 1 + 4 + 4},
		// Argument code of 3 does not fit under a split at height 3.
		{"height", []floorSpan{one(1, 0), {lo: 1, hi: 1, dec: 1<<32 | 1, w: 1, cost: 3}}, 3, math.Inf(1)},
		{"height ok", []floorSpan{one(1, 0), {lo: 1, hi: 1, dec: 1<<32 | 1, w: 1, cost: 3}}, 4, 2 + 1 + 3},
	} {
		f := &floorSolver{s: tc.spans}
		if got := f.best(tc.h); got != tc.want {
			t.Errorf("%s: best = %v, want %v", tc.name, got, tc.want)
		}
	}
}
