package tree

import (
	"slices"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/policy"
)

// Searching single-word regions.
//
// Argument code is emitted level by level, as the policy's graph is
// built: a run of equality tests becomes a search (eqSwitch), but the
// fallback after it (Docker's "socket family below 3, or one of these")
// is a separate chain that is only reached after the search fails. Once
// threaded, such code often has a part that only compares one word: a
// load, then tests of A and returns. That part is a function from the
// word to a return value, piecewise constant between the constants it
// compares with, so it can be rebuilt as one search over those pieces,
// like the syscall number. The rebuilt search replaces the part when it
// is no longer and either its longest path or its length is shorter: a
// chain of equality tests, which is what a policy near the kernel's
// limit gets (see emit), stays a chain.

// maxRegionRanges bounds the pieces the shaper sees; above it the search
// is split in halves, which is as short for the uniform weights used.
const maxRegionRanges = 24

// maxRegionTests bounds the regions considered: larger ones are the
// searches eqSwitch already built, where a rebuild rarely wins and costs
// time in proportion.
const maxRegionTests = 96

// region is a load whose code after it only tests A and returns, and
// its replacement.
type region struct {
	pc     int    // the load
	ranges []span // pieces of the word, with out.act the value returned
	plan   *plan  // nil: halve
}

// regioner holds the scratch of the rewrite.
type regioner struct {
	pure    []bool
	far     []int32
	mark    []bool
	at      []int32 // per load, its index in the regions found, or -1
	cuts    []uint32
	ranges  []span
	weights []float64
	costs   []int8
	triple  []bool
	keep    []bool
	nodes   []node
	found   []region
	kept    []span // the ranges of the regions found
	plans   []plan // and their plans
	size    int    // tests counted by walk
}

// rewrite returns prog with its single-word regions searched where that
// is shorter, re-emitted in b (which it resets); sh shapes the searches.
func (r *regioner) rewrite(prog []bpf.RawInstruction, b *builder, sh *shaper, dst []bpf.RawInstruction) ([]bpf.RawInstruction, bool) {
	n := len(prog)
	r.pure = grow(r.pure, n)
	r.far = grow(r.far, n)
	for pc := n - 1; pc >= 0; pc-- {
		in := prog[pc]
		r.pure[pc], r.far[pc] = false, 1
		switch {
		case in.Op == opRet:
			r.pure[pc] = true
		case in.Op == opJa:
			t := pc + 1 + int(in.K)
			r.pure[pc], r.far[pc] = r.pure[t], 1+r.far[t]
		case isCondJump(in.Op):
			t, f := pc+1+int(in.Jt), pc+1+int(in.Jf)
			r.pure[pc] = in.Op != opJset && r.pure[t] && r.pure[f]
			r.far[pc] = 1 + max(r.far[t], r.far[f])
		default:
			r.far[pc] = 1 + r.far[pc+1]
		}
	}
	// Which loads to replace, and what by.
	found := r.found[:0]
	r.kept, r.plans = r.kept[:0], r.plans[:0]
	r.at = grow(r.at, n)
	for pc := 0; pc < n; pc++ {
		r.at[pc] = -1
		in := prog[pc]
		if pc+1 >= n || !isLoad(in) || !r.pure[pc+1] || prog[pc+1].Op == opRet {
			continue
		}
		if rg, ok := r.search(prog, pc, sh); ok {
			r.at[pc] = int32(len(found))
			found = append(found, rg)
		}
	}
	r.found = found
	if len(found) == 0 {
		return prog, false
	}
	// Keep what is reachable without entering a replaced region.
	r.keep = grow(r.keep, n)
	clear(r.keep)
	r.keep[0] = true
	for pc := 0; pc < n; pc++ {
		in := prog[pc]
		switch {
		case !r.keep[pc] || r.at[pc] >= 0 || in.Op == opRet:
		case in.Op == opJa:
			r.keep[pc+1+int(in.K)] = true
		case in.Op&0x07 == 0x05:
			r.keep[pc+1+int(in.Jt)] = true
			r.keep[pc+1+int(in.Jf)] = true
		default:
			r.keep[pc+1] = true
		}
	}
	b.reset()
	r.nodes = grow(r.nodes, n)
	for pc := n - 1; pc >= 0; pc-- {
		if !r.keep[pc] {
			continue
		}
		in := prog[pc]
		switch {
		case r.at[pc] >= 0:
			rg := &found[r.at[pc]]
			r.nodes[pc] = b.load(in.K, r.emit(b, rg, 0, len(rg.ranges)-1))
		case in.Op == opRet:
			r.nodes[pc] = b.ret(in.K)
		case in.Op == opJa:
			r.nodes[pc] = r.nodes[pc+1+int(in.K)]
		case isCondJump(in.Op):
			r.nodes[pc] = b.jump(in.Op, in.K, r.nodes[pc+1+int(in.Jt)], r.nodes[pc+1+int(in.Jf)])
		default:
			r.nodes[pc] = b.stmt(in.Op, in.K, r.nodes[pc+1])
		}
	}
	return b.forward(r.nodes[0], dst), true
}

// search works out the pieces of the region after the load at pc and
// whether a search over them beats the code there.
func (r *regioner) search(prog []bpf.RawInstruction, pc int, sh *shaper) (region, bool) {
	// Constants the region compares with, and its size.
	r.cuts = append(r.cuts[:0], 0)
	r.size = 0
	r.mark = grow(r.mark, len(prog))
	clear(r.mark)
	r.walk(prog, pc+1)
	size := r.size
	if size > maxRegionTests {
		return region{}, false
	}
	slices.Sort(r.cuts)
	r.cuts = slices.Compact(r.cuts)
	// The value returned for each piece, merging equal neighbours.
	r.ranges = r.ranges[:0]
	for _, c := range r.cuts {
		v := eval(prog, pc+1, c)
		if m := len(r.ranges); m > 0 && r.ranges[m-1].out.act == policy.Action(v) {
			continue
		} else if m > 0 {
			r.ranges[m-1].hi = c - 1
		}
		r.ranges = append(r.ranges, span{lo: c, hi: ^uint32(0), out: outcome{act: policy.Action(v)}})
	}
	m := len(r.ranges)
	start := len(r.kept)
	r.kept = append(r.kept, r.ranges...)
	rg := region{pc: pc, ranges: r.kept[start:len(r.kept):len(r.kept)]}
	// Its height and size as a search.
	var height, count int
	if m <= maxRegionRanges {
		r.weights, r.costs, r.triple = grow(r.weights, m), grow(r.costs, m), grow(r.triple, m)
		for i := range m {
			r.weights[i], r.costs[i] = 1, 1
			r.triple[i] = i+2 < m && r.ranges[i+1].lo == r.ranges[i+1].hi && r.ranges[i].out == r.ranges[i+2].out
		}
		// The least height: the worst case is what a region is
		// rebuilt for.
		sh.lowest = true
		rg.plan = r.keepPlan(sh.planTree(r.weights, r.costs, r.triple), m)
		sh.lowest = false
		height, count = planShape(rg.plan)
	} else {
		height, count = halfShape(rg.ranges, 0, m-1)
	}
	old := int(r.far[pc+1])
	if count <= size && (height < old || count < size) {
		return rg, true
	}
	return region{}, false
}

// walk counts the tests of the region from x and collects the constants
// they compare with.
func (r *regioner) walk(prog []bpf.RawInstruction, x int) {
	for {
		if r.mark[x] {
			return
		}
		r.mark[x] = true
		in := prog[x]
		switch {
		case in.Op == opRet:
			return
		case in.Op == opJa:
			x += 1 + int(in.K)
			continue
		}
		r.size++
		switch in.Op {
		case opJeq:
			r.cuts = append(r.cuts, in.K)
			if in.K != ^uint32(0) {
				r.cuts = append(r.cuts, in.K+1)
			}
		case opJgt:
			if in.K != ^uint32(0) {
				r.cuts = append(r.cuts, in.K+1)
			}
		case opJge:
			r.cuts = append(r.cuts, in.K)
		}
		r.walk(prog, x+1+int(in.Jt))
		x += 1 + int(in.Jf)
	}
}

// eval runs the region at pc with A = v and returns the value it returns.
func eval(prog []bpf.RawInstruction, pc int, v uint32) uint32 {
	for {
		in := prog[pc]
		switch in.Op {
		case opRet:
			return in.K
		case opJa:
			pc += 1 + int(in.K)
			continue
		}
		var taken bool
		switch in.Op {
		case opJeq:
			taken = v == in.K
		case opJgt:
			taken = v > in.K
		case opJge:
			taken = v >= in.K
		}
		if taken {
			pc += 1 + int(in.Jt)
		} else {
			pc += 1 + int(in.Jf)
		}
	}
}

// keepPlan copies a plan over m ranges out of the shaper's memory, which
// the next planTree reuses, into r.plans. A plan has fewer than 2m
// nodes; a new array is started rather than the old one moved, which
// would leave the plans kept before pointing into it.
func (r *regioner) keepPlan(p *plan, m int) *plan {
	if cap(r.plans)-len(r.plans) < 2*m {
		r.plans = make([]plan, 0, max(2*cap(r.plans), 8*m))
	}
	return r.clonePlan(p)
}

func (r *regioner) clonePlan(p *plan) *plan {
	r.plans = append(r.plans, *p)
	c := &r.plans[len(r.plans)-1]
	if p.lo != nil {
		c.lo, c.hi = r.clonePlan(p.lo), r.clonePlan(p.hi)
	}
	return c
}

// planShape is the longest path (with the ret) and the number of tests of
// a plan.
func planShape(p *plan) (height, tests int) {
	switch {
	case p.k < 0:
		return 2, 1
	case p.lo == nil:
		return 1, 0
	}
	h1, t1 := planShape(p.lo)
	h2, t2 := planShape(p.hi)
	return 1 + max(h1, h2), 1 + t1 + t2
}

// halfShape is planShape for the search that halves rs[i..j].
func halfShape(rs []span, i, j int) (height, tests int) {
	if i == j {
		return 1, 0
	}
	k := (i + j + 1) / 2
	h1, t1 := halfShape(rs, i, k-1)
	h2, t2 := halfShape(rs, k, j)
	return 1 + max(h1, h2), 1 + t1 + t2
}

// emit emits the search over rg's pieces i..j.
func (r *regioner) emit(b *builder, rg *region, i, j int) node {
	if rg.plan != nil {
		return r.emitPlan(b, rg, rg.plan)
	}
	return r.emitHalf(b, rg, i, j)
}

func (r *regioner) emitPlan(b *builder, rg *region, p *plan) node {
	rs := rg.ranges
	switch {
	case p.k < 0:
		return b.jump(opJeq, rs[p.i+1].lo, b.ret(uint32(rs[p.i+1].out.act)), b.ret(uint32(rs[p.i].out.act)))
	case p.lo == nil:
		return b.ret(uint32(rs[p.i].out.act))
	}
	hi := r.emitPlan(b, rg, p.hi)
	lo := r.emitPlan(b, rg, p.lo)
	return b.jump(opJge, rs[p.k].lo, hi, lo)
}

func (r *regioner) emitHalf(b *builder, rg *region, i, j int) node {
	rs := rg.ranges
	if i == j {
		return b.ret(uint32(rs[i].out.act))
	}
	k := (i + j + 1) / 2
	hi := r.emitHalf(b, rg, k, j)
	lo := r.emitHalf(b, rg, i, k-1)
	return b.jump(opJge, rs[k].lo, hi, lo)
}
