package main

import (
	"math"
	"slices"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/sim"
	"golang.org/x/net/bpf"
)

// The floor: how few instructions per syscall any filter could execute on
// a policy, whatever its search looks like, so that the table's mean and
// max can be read against what is possible rather than against a guess.
//
// Every filter for one arch runs at least a 3-instruction prefix (load the
// arch, test it, load the number) and ends in a ret; in between it tells
// the syscall's decision apart from its neighbours'. The floor is the
// cheapest decision tree over the policy's numbers built from
//
//   - a threshold test (jge/jgt) splitting an interval in two,
//   - an equality test (jeq) taking one number out of an interval whose
//     two sides then decide alike,
//   - a bit test (jset) at the leaves, splitting an interval into two
//     sets that each decide alike,
//
// with each syscall decided by argument rules charged 2 instructions for
// every 32-bit word of its arguments its decision (with arguments zero)
// depends on, and 1 for the ret: a path that never loads a word decides
// the same whatever the word holds, and a word loaded must be tested
// before the next load replaces it. A word counts if setting it alone to
// one of the rules' data, their neighbours or a few values with high bits
// changes the decision of the program at hand; a syscall with no such
// word is taken as deciding like any other, which can only lower the
// floor, as can taking the numbers past the last one as one interval.
//
// It is found exactly, by dynamic programming over the intervals of equal
// decision, weighting each number asked about by one: the table's
// syscalls for the mean column, every number up to the top for nmean.

// floorSpan is a maximal run of numbers with one decision.
type floorSpan struct {
	lo, hi uint32
	dec    uint64  // the ret value, or 1<<32|nr for argument rules
	w      float64 // syscalls of the table in it
	cost   float64 // instructions from the leaf on
}

// Floor is the least mean over the numbers asked about, of any height and
// with no path longer than 12 instructions.
type Floor struct {
	Any, Max12 float64
}

// floorOf computes the floor over nrs of the policy prog implements;
// argNrs are the numbers whose decision comes from argument rules, with
// values to try in their arguments.
func floorOf(prog []bpf.RawInstruction, host *arch.Arch, nrs []int32, argNrs map[int32][]uint64) (*Floor, error) {
	p, err := sim.New(prog)
	if err != nil {
		return nil, err
	}
	defined := map[uint32]bool{}
	top := uint32(0)
	for _, nr := range nrs {
		defined[uint32(nr)] = true
		top = max(top, uint32(nr))
	}
	var spans []floorSpan
	for nr := uint32(0); nr <= top+1; nr++ {
		ret, _ := p.Run(sim.Data{Nr: int32(nr), Arch: uint32(host.Token)}, host.BigEndian)
		dec, cost := uint64(ret), 1.0
		if vals, ok := argNrs[int32(nr)]; ok {
			if words := wordsRead(p, host, nr, ret, vals); words > 0 {
				dec, cost = 1<<32|uint64(nr), float64(1+2*words)
			}
		}
		if n := len(spans); n == 0 || spans[n-1].dec != dec || cost > 1 || spans[n-1].cost > 1 {
			spans = append(spans, floorSpan{lo: nr, hi: nr, dec: dec, cost: cost})
		}
		s := &spans[len(spans)-1]
		s.hi = nr
		if defined[nr] {
			s.w++
		}
	}
	f := &floorSolver{s: spans}
	total := float64(len(defined))
	return &Floor{
		Any:   3 + f.best(len(spans)+2)/total,
		Max12: 3 + f.best(12-3)/total,
	}, nil
}

// wordsRead counts the argument words on whose value alone the decision
// ret of nr with all arguments zero depends.
func wordsRead(p *sim.Program, host *arch.Arch, nr uint32, ret uint32, vals []uint64) int {
	n := 0
	for arg := range 6 {
		for _, half := range []int{0, 32} {
			for _, v := range vals {
				d := sim.Data{Nr: int32(nr), Arch: uint32(host.Token)}
				d.Args[arg] = uint64(uint32(v>>half)) << half
				if r, _ := p.Run(d, host.BigEndian); r != ret {
					n++
					break
				}
			}
		}
	}
	return n
}

type floorSolver struct {
	s    []floorSpan
	pre  []float64
	bits map[[2]int]bool // bitSplit's answers
}

// best is the least sum of weight × (tests + leaf cost) over all trees
// whose every path, from the leaf's tests on, is at most h instructions.
func (f *floorSolver) best(h int) float64 {
	n := len(f.s)
	f.pre = make([]float64, n+1)
	for i, s := range f.s {
		f.pre[i+1] = f.pre[i] + s.w
	}
	inf := math.Inf(1)
	// cur[i*n+j] is the best for spans i..j within the height in hand.
	prev, cur := make([]float64, n*n), make([]float64, n*n)
	for i := range prev {
		prev[i] = inf
	}
	for height := 1; height <= h; height++ {
		for l := 0; l < n; l++ {
			for i := 0; i+l < n; i++ {
				cur[i*n+i+l] = f.tree(i, i+l, height, prev)
			}
		}
		prev, cur = cur, prev
	}
	return prev[n-1]
}

// tree is the best for spans i..j within height, given the best of every
// interval one level lower in lower.
func (f *floorSolver) tree(i, j, height int, lower []float64) float64 {
	s, n := f.s, len(f.s)
	if i == j {
		if s[i].cost <= float64(height) {
			return s[i].w * s[i].cost
		}
		return math.Inf(1)
	}
	w := f.pre[j+1] - f.pre[i]
	best := math.Inf(1)
	for k := i + 1; k <= j; k++ {
		best = min(best, w+lower[i*n+k-1]+lower[k*n+j])
	}
	if height < 2 {
		return best
	}
	plain := func(a, b int) bool {
		return !slices.ContainsFunc(s[a:b+1], func(x floorSpan) bool { return x.cost > 1 })
	}
	if j == i+2 && s[i].dec == s[j].dec && s[i+1].lo == s[i+1].hi && plain(i, j) {
		best = min(best, w+w) // one jeq, then a ret for all three
	}
	if plain(i, j) && f.splits(i, j) {
		best = min(best, w+w) // one jset, then a ret either way
	}
	return best
}

func (f *floorSolver) splits(i, j int) bool {
	if f.bits == nil {
		f.bits = map[[2]int]bool{}
	}
	ok, seen := f.bits[[2]int{i, j}]
	if !seen {
		ok = f.bitSplit(i, j)
		f.bits[[2]int{i, j}] = ok
	}
	return ok
}

// bitSplit says whether one jset on the number sends spans i..j (two
// decisions between them) to two sides that each decide alike.
func (f *floorSolver) bitSplit(i, j int) bool {
	s := f.s[i : j+1]
	lo, hi := s[0].lo, s[len(s)-1].hi
	a := s[0].dec
	for _, x := range s {
		if x.dec != a && x.dec != s[1].dec {
			return false // three decisions
		}
	}
	if hi-lo >= 1024 {
		return false
	}
	for m := uint32(1); m < 1024; m++ {
		var set, clear uint64
		hasSet, hasClear, ok := false, false, true
		for _, x := range s {
			for nr := x.lo; nr <= x.hi && ok; nr++ {
				if nr&m != 0 {
					ok = !hasSet || set == x.dec
					set, hasSet = x.dec, true
				} else {
					ok = !hasClear || clear == x.dec
					clear, hasClear = x.dec, true
				}
			}
			if !ok {
				break
			}
		}
		if ok && hasSet && hasClear {
			return true
		}
	}
	return false
}
