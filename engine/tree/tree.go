// Package tree turns a policy into a cBPF program that finds a syscall's
// decision by binary search instead of a linear chain of comparisons.
//
// The program has three layers:
//
//	ld  [arch]                       arch dispatch: one jeq per section,
//	jeq #TOKEN_1, S1                 then the bad-arch action
//	jeq #TOKEN_2, S2
//	ret #BADARCH
//	S1: ld [nr]                      per section: a balanced search over
//	    jge #lo_m, right, left       the gap-free ranges of syscall numbers
//	    ...                          that share one outcome
//	    ret #ACTION
//
// Ranges are computed over the whole 32-bit number space, so the default
// action fills the gaps and the x32/x86_64 split is just two more ranges.
// Consecutive numbers with the same outcome are one range, so a run of
// allowed syscalls costs one comparison, not one per syscall.
//
// The program uses only loads of nr and arch, jumps against constants and
// returns of constants, so the kernel's action cache can prove every
// unconditional allow and skip the filter for it.
//
// Emission is back to front (see builder), which shares identical RET
// instructions and subtrees and places JA trampolines where a target is
// beyond a conditional jump's 255-instruction reach.
package tree

import (
	"errors"
	"sync"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
)

// Opcodes used by generated programs.
const (
	opLdAbs = 0x20 // BPF_LD | BPF_W | BPF_ABS
	opJa    = 0x05 // BPF_JMP | BPF_JA
	opJeq   = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
	opJgt   = 0x25 // BPF_JMP | BPF_JGT | BPF_K
	opJge   = 0x35 // BPF_JMP | BPF_JGE | BPF_K
	opJset  = 0x45 // BPF_JMP | BPF_JSET | BPF_K
	opRet   = 0x06 // BPF_RET | BPF_K
	opAnd   = 0x54 // BPF_ALU | BPF_AND | BPF_K
)

// Offsets of struct seccomp_data fields.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16 // args[6], 8 bytes each
)

// ErrTooLarge reports a program over the kernel's instruction limit.
var ErrTooLarge = errors.New("tree: program exceeds 4096 instructions")

// Generate builds the program for f.
func Generate(f *policy.Filter) ([]bpf.RawInstruction, error) {
	prog, _, err := generateKept(f, nil)
	return prog, err
}

// GenerateVerified builds the program for f and checks it with Verify
// before returning it, sharing the work the two have in common.
func GenerateVerified(f *policy.Filter) ([]bpf.RawInstruction, error) {
	kept := keptSpans.get()
	defer func() {
		// Hold nothing of a filter the caller may free.
		for _, rs := range kept.s {
			clear(rs[:cap(rs)])
		}
		keptSpans.put(kept)
	}()
	prog, plan, err := generateKept(f, kept)
	if err != nil {
		return nil, err
	}
	if err := verify(f, prog, plan); err != nil {
		return nil, err
	}
	return prog, nil
}

// spanSets is the memory of the ranges of each section that a plan
// keeps for the self-check, reused from one program to the next.
type spanSets struct{ s [][]span }

// take returns section i's memory, emptied.
func (k *spanSets) take(i int) []span {
	for len(k.s) <= i {
		k.s = append(k.s, nil)
	}
	return k.s[i][:0]
}

var keptSpans cache[spanSets]

// sectionPlan is what the generator computed for one section.
type sectionPlan struct {
	sec   policy.Section
	spans []span
}

// generate builds the program and the plans it was built from.
func generate(f *policy.Filter) ([]bpf.RawInstruction, []sectionPlan, error) {
	return generateKept(f, &spanSets{})
}

// generateKept builds the program, and the plans in kept's memory unless
// kept is nil.
func generateKept(f *policy.Filter, kept *spanSets) ([]bpf.RawInstruction, []sectionPlan, error) {
	prog, plans, err := emit(f, true, kept)
	if err == ErrTooLarge {
		// Searches over equality tests trade length for speed; a
		// policy near the limit gets the shorter chains libseccomp
		// would emit, so that it fits wherever libseccomp's does.
		return emit(f, false, kept)
	}
	return prog, plans, err
}

// work is the memory one program is built in, kept between programs so
// that a build allocates little beyond its result.
type work struct {
	b       builder
	scratch builder // one syscall's argument code before threading
	prog    []bpf.RawInstruction
	prog2   []bpf.RawInstruction
	hints   heat
	regions regioner
	nodes   []node
	t       threader
	sh      shaper
	leaves  []node
	costs   []int8
	triple  []bool
	weights []float64
	spans   []span // a section's ranges, when no plan is kept
	args    argGen
}

var works cache[work]

// cache keeps a few values between uses. Unlike a sync.Pool, a garbage
// collection does not empty it, so the tables of the next program are
// warm whenever programs are built one after another.
type cache[T any] struct {
	mu   sync.Mutex
	free []*T
}

func (c *cache[T]) get() *T {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.free); n > 0 {
		x := c.free[n-1]
		c.free = c.free[:n-1]
		return x
	}
	return new(T)
}

func (c *cache[T]) put(x *T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.free) < 2 {
		c.free = append(c.free, x)
	}
}

// emit builds the program; switches enables searches over runs of
// equality tests (see eqSwitch); a non-nil kept returns the plans, with
// their ranges in its memory, which otherwise are built in reused memory
// and dropped.
func emit(f *policy.Filter, switches bool, kept *spanSets) ([]bpf.RawInstruction, []sectionPlan, error) {
	keep := kept != nil
	w := works.get()
	spansUsed := 0 // the most of w.spans any section filled
	defer func() {
		// Hold nothing of a filter the caller may free.
		w.args.release()
		clear(w.spans[:spansUsed])
		works.put(w)
	}()
	b := &w.b
	b.reset()
	entry := b.ret(uint32(f.Attrs.BadArch))
	sections := f.Sections()
	var plans []sectionPlan
	if keep {
		plans = make([]sectionPlan, len(sections))
	}
	// Emit back to front: the last section's check is emitted first.
	checks := make([]node, len(sections))
	for i := len(sections) - 1; i >= 0; i-- {
		sec := sections[i]
		g := &gen{b: b, arch: sec.Tables[0].Arch, def: f.Attrs.Default, switches: switches, args: &w.args}
		var rs []span
		if keep {
			rs, w.hints = spansHinted(f, sec, w.hints[:0], kept.take(i))
			kept.s[i] = rs
			plans[i] = sectionPlan{sec, rs}
		} else {
			rs, w.hints = spansHinted(f, sec, w.hints[:0], w.spans)
			w.spans, spansUsed = rs, max(spansUsed, len(rs))
		}
		// Argument code first: its length shapes the tree.
		w.leaves, w.costs, w.triple = grow(w.leaves, len(rs)), grow(w.costs, len(rs)), grow(w.triple, len(rs))
		g.leaves = w.leaves
		for i, r := range rs {
			w.costs[i], w.leaves[i] = 1, 0
			w.triple[i] = i+2 < len(rs) && rs[i+1].lo == rs[i+1].hi && rs[i].out == rs[i+2].out
			if r.out.sc != nil {
				var cost int
				w.leaves[i], cost = g.argLeaf(r.out, w)
				w.costs[i] = int8(min(cost, 100))
			}
		}
		w.weights = weights(rs, sectionHeat(sec, w.hints), w.weights)
		p := w.sh.planTree(w.weights, w.costs, w.triple)
		checks[i] = b.load(offNr, g.search(rs, p))
	}
	for i := len(sections) - 1; i >= 0; i-- {
		entry = b.jump(opJeq, uint32(sections[i].Token), checks[i], entry)
	}
	entry = b.load(offArch, entry)
	prog := b.program(entry)
	if len(prog) > MaxInstructions {
		return nil, nil, ErrTooLarge
	}
	return prog, plans, nil
}

// gen emits one section.
type gen struct {
	b        *builder
	arch     *arch.Arch // decides argument word size and byte order
	def      policy.Action
	switches bool    // search runs of equality tests rather than chain them
	leaves   []node  // per range, its argument code once emitted
	args     *argGen // reused by every syscall's rules
}

// search emits the search tree p over rs and returns its root. At each
// node the test is "nr >= lo" of the first range of the upper part. The
// upper subtree is emitted first, which puts the lower one nearer its
// parent.
func (g *gen) search(rs []span, p *plan) node {
	switch {
	case p.k < 0:
		// rs[i+1] is a single number between two ranges with the same
		// outcome: one jeq decides all three.
		return g.b.jump(opJeq, rs[p.i+1].lo, g.leafAt(rs, p.i+1), g.leafAt(rs, p.i))
	case p.lo == nil:
		return g.leafAt(rs, p.i)
	}
	hi := g.search(rs, p.hi)
	lo := g.search(rs, p.lo)
	return g.b.jump(opJge, rs[p.k].lo, hi, lo)
}

// leafAt is the code of range i: its argument code, emitted already, or
// a ret.
func (g *gen) leafAt(rs []span, i int) node {
	if n := g.leaves[i]; n != 0 {
		return n
	}
	return g.leaf(rs[i].out)
}

// argLeaf emits the argument code of a range and returns its entry and
// the most instructions it runs. The code is built on its own first and
// threaded there (see threader), which leaves the main program free of
// what threading would remove and tells its true length.
func (g *gen) argLeaf(o outcome, w *work) (node, int) {
	main := g.b
	g.b = &w.scratch
	g.b.reset()
	n := g.leaf(o)
	g.b = main
	w.prog = w.t.thread(w.scratch.forward(n, w.prog))
	if prog, ok := w.regions.rewrite(w.prog, &w.scratch, &w.sh, w.prog2); ok {
		w.prog, w.prog2 = prog, w.prog
	}
	w.nodes = grow(w.nodes, len(w.prog))
	return main.copyIn(w.prog, w.nodes), w.t.longest(w.prog)
}

// leaf emits the code that decides a range's outcome.
func (g *gen) leaf(o outcome) node {
	if o.sc == nil {
		return g.b.ret(uint32(o.act))
	}
	return g.rules(o.sc.Rules)
}
