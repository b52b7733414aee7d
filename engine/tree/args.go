package tree

import (
	"cmp"
	"slices"

	"github.com/seccomptree/seccomptree/engine/policy"
)

// rules emits a syscall's argument graph (see policy.Node) and returns its
// entry. Each node of a level becomes
//
//	ld  [word]          unless A already holds the word
//	and #mask           unless the mask is all ones, or A is already masked
//	jeq/jgt/jge #datum, T, F
//
// where T and F are the entries of the outcome's level, a ret, or the next
// node of the level; the last node of a level falls back to the node after
// the one that descended into it, and the top level to the default
// action. Comparisons with a zero mask are constant and emit nothing.
//
// Levels reachable from several places are emitted once per distinct
// fall-back, and the builder shares whatever comes out identical.
func (g *gen) rules(root *policy.Node) node {
	a := g.args
	if a.memo == nil {
		*a = argGen{memo: map[levelKey]*entry{}, rets: map[node]*entry{}, seen: map[uint32]bool{}}
	}
	a.g = g
	clear(a.memo)
	clear(a.rets)
	return a.full(a.level(root, a.ret(uint32(g.def))))
}

// entry is where control goes to run some code, given what A holds.
type entry struct {
	n     node // entry for any A; for a test, valid once built
	built bool
	// For code that starts with a test of an argument word:
	loads  bool
	off    uint32 // the word's offset
	mask   uint32 // the mask the test applies
	raw    node   // entry when A holds the word
	masked node   // entry when A holds the word & mask
}

type levelKey struct {
	first *policy.Node
	fall  *entry
}

type argGen struct {
	g    *gen
	memo map[levelKey]*entry
	rets map[node]*entry
	seen map[uint32]bool // scratch for switchRun
}

// from is the entry of e for code that leaves the word at off, masked
// with mask, in A.
func (a *argGen) from(e *entry, off, mask uint32) node {
	if e.loads && e.off == off {
		switch {
		case e.mask == mask:
			return e.masked
		case mask == ^uint32(0):
			return e.raw
		}
	}
	return a.full(e)
}

// full returns e's entry for any A, emitting its load on first use. The
// load costs nothing extra right after the code it leads into, but a JA
// later on, so level emits it eagerly where it is likely to be needed.
func (a *argGen) full(e *entry) node {
	if !e.built {
		e.n, e.built = a.g.b.load(e.off, e.raw), true
	}
	return e.n
}

func (a *argGen) ret(k uint32) *entry {
	n := a.g.b.ret(k)
	e := a.rets[n]
	if e == nil {
		e = &entry{n: n, built: true}
		a.rets[n] = e
	}
	return e
}

// level emits the level holding n, falling back to fall.
func (a *argGen) level(n *policy.Node, fall *entry) *entry {
	nodes := n.Level()
	key := levelKey{nodes[0], fall}
	if e, ok := a.memo[key]; ok {
		return e
	}
	e := fall
	for i := len(nodes) - 1; i >= 0; i-- {
		if j := a.switchRun(nodes, i); a.g.switches && i-j+1 >= minSwitch {
			e = a.eqSwitch(nodes[j:i+1], e)
			i = j
		} else {
			e = a.test(nodes[i], e)
		}
		// A node after one on the same word is entered with the word
		// in A; any other is entered from elsewhere and loads.
		if i == 0 || a.offset(nodes[i-1]) != e.off {
			a.full(e)
		}
	}
	a.memo[key] = e
	return e
}

// minSwitch is the shortest run of equality tests worth a search.
const minSwitch = 4

// switchable reports whether m is an equality test of a whole word whose
// failure just moves on to the next node: a run of such tests on one word
// can match at most one node, whatever their order.
func switchable(m *policy.Node) bool {
	return (m.Op == policy.OpEQ || m.Op == policy.OpMaskedEQ) && m.Mask == ^uint32(0) &&
		m.False.Next == nil && !m.False.Final
}

// switchRun returns the first index of the run of switchable nodes on
// one word that ends at nodes[i], with distinct data; i+1 when nodes[i]
// is not switchable.
func (a *argGen) switchRun(nodes []*policy.Node, i int) int {
	if !switchable(nodes[i]) {
		return i + 1
	}
	off := a.offset(nodes[i])
	seen := a.seen
	clear(seen)
	seen[nodes[i].Datum] = true
	j := i
	for j > 0 && switchable(nodes[j-1]) && a.offset(nodes[j-1]) == off && !seen[nodes[j-1].Datum] {
		j--
		seen[nodes[j].Datum] = true
	}
	return j
}

// eqSwitch emits a run of equality tests on one word (see switchable) as
// a binary search over their data instead of a chain: at most one can
// hold, so the order the level gives them does not matter. For values
// lo_k <= d_m <= hi_k:
//
//	jge #d_mid, upper, lower   ...   jeq #d_i, pass_i, next
func (a *argGen) eqSwitch(run []*policy.Node, next *entry) *entry {
	off := a.offset(run[0])
	sorted := slices.Clone(run)
	slices.SortFunc(sorted, func(x, y *policy.Node) int { return cmp.Compare(x.Datum, y.Datum) })
	full := ^uint32(0)
	fail := a.from(next, off, full)
	b := a.g.b
	var search func(i, j int) node
	search = func(i, j int) node {
		if i == j {
			m := sorted[i]
			return b.jump(opJeq, m.Datum, a.from(a.branch(m.True, next), off, full), fail)
		}
		mid := (i + j + 1) / 2
		hi := search(mid, j)
		lo := search(i, mid-1)
		return b.jump(opJge, sorted[mid].Datum, hi, lo)
	}
	root := search(0, len(sorted)-1)
	return &entry{loads: true, off: off, mask: full, raw: root, masked: root}
}

// test emits one node whose neighbour on the level is next.
func (a *argGen) test(m *policy.Node, next *entry) *entry {
	pass, fail := a.branch(m.True, next), a.branch(m.False, next)
	if m.Mask == 0 {
		// (w & 0) is 0, and the datum was masked to 0 as well.
		if m.Op == policy.OpGT {
			return fail
		}
		return pass
	}
	if pass == fail {
		return pass
	}
	// Orderings the masked word cannot fail or cannot pass.
	op := uint16(opJeq)
	switch m.Op {
	case policy.OpGT:
		op = opJgt
		if m.Datum >= m.Mask {
			return fail
		}
	case policy.OpGE:
		op = opJge
		if m.Datum == 0 {
			return pass
		}
		if m.Datum > m.Mask {
			return fail
		}
	}
	off := a.offset(m)
	b := a.g.b
	jmp := b.jump(op, m.Datum, a.from(pass, off, m.Mask), a.from(fail, off, m.Mask))
	raw := jmp
	if m.Mask != ^uint32(0) {
		raw = b.stmt(opAnd, m.Mask, jmp)
	}
	return &entry{loads: true, off: off, mask: m.Mask, raw: raw, masked: jmp}
}

// branch is the entry an outcome leads to.
func (a *argGen) branch(br policy.Branch, next *entry) *entry {
	switch {
	case br.Next != nil:
		return a.level(br.Next, next)
	case br.Final:
		return a.ret(uint32(br.Action))
	}
	return next
}

// offset is where in seccomp_data the node's word is.
func (a *argGen) offset(m *policy.Node) uint32 {
	hi, lo := a.g.words(m.Arg)
	if m.High {
		return hi
	}
	return lo
}

// words returns the offsets of the high and low 32-bit halves of
// argument i in seccomp_data for the section's byte order.
func (g *gen) words(i uint) (hi, lo uint32) {
	base := uint32(offArgs + 8*i)
	if g.arch.BigEndian {
		return base, base + 4
	}
	return base + 4, base
}
