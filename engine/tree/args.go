package tree

import (
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
	a.g = g
	a.reset()
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

// argGen emits one syscall's argument code. Its tables live as long as
// the work they belong to: a syscall's code is small, and emptying a map
// or allocating its entries would cost more than building it.
type argGen struct {
	g    *gen
	memo levelMemo
	rets []*entry // by node, the entry of a ret
	set  []node   // where rets is set
	ents entries
	seen dataSet        // scratch for switchRun
	keys []uint64       // scratch for eqSwitch's sort
	runs []*policy.Node // eqSwitch's sorted runs, innermost last
}

// reset empties a for another syscall.
func (a *argGen) reset() {
	a.memo.reset()
	for _, n := range a.set {
		a.rets[n] = nil
	}
	a.set = a.set[:0]
	a.ents.used = 0
}

// release drops what a holds of a filter.
func (a *argGen) release() {
	a.memo.reset()
	clear(a.runs[:cap(a.runs)])
	a.g = nil
}

// levelMemo maps emitted levels to their entries: a list while short,
// which is every syscall of the usual profiles, a map beyond.
type levelMemo struct {
	list  []levelItem
	big   map[levelKey]*entry // in use when non-nil and list is full
	spilt bool
}

type levelItem struct {
	k levelKey
	e *entry
}

// memoList is how many levels levelMemo keeps in its list.
const memoList = 16

func (m *levelMemo) get(k levelKey) *entry {
	if m.spilt {
		return m.big[k]
	}
	for i := range m.list {
		if m.list[i].k == k {
			return m.list[i].e
		}
	}
	return nil
}

func (m *levelMemo) put(k levelKey, e *entry) {
	if !m.spilt && len(m.list) < memoList {
		m.list = append(m.list, levelItem{k, e})
		return
	}
	if !m.spilt {
		if m.big == nil {
			m.big = map[levelKey]*entry{}
		}
		for _, it := range m.list {
			m.big[it.k] = it.e
		}
		m.spilt = true
	}
	m.big[k] = e
}

func (m *levelMemo) reset() {
	clear(m.list)
	m.list = m.list[:0]
	if m.spilt {
		clear(m.big)
		m.spilt = false
	}
}

// entries hands out entries from chunks that are never moved, so that
// pointers to them stay valid, and are reused for the next syscall.
type entries struct {
	chunks []*[64]entry
	used   int
}

func (p *entries) new(e entry) *entry {
	c := p.used / 64
	if c == len(p.chunks) {
		p.chunks = append(p.chunks, new([64]entry))
	}
	x := &p.chunks[c][p.used%64]
	p.used++
	*x = e
	return x
}

// dataSet is a set of words, emptied in constant time by moving to a
// new generation.
type dataSet struct {
	keys []uint32
	gens []uint32
	gen  uint32
	used int
}

func (d *dataSet) reset() {
	if len(d.keys) == 0 {
		d.keys, d.gens = make([]uint32, 64), make([]uint32, 64)
	}
	d.gen++
	if d.gen == 0 {
		clear(d.gens)
		d.gen = 1
	}
	d.used = 0
}

// add adds k and reports whether it was absent.
func (d *dataSet) add(k uint32) bool {
	if 2*(d.used+1) > len(d.keys) {
		keys, gens := d.keys, d.gens
		d.keys, d.gens = make([]uint32, 2*len(keys)), make([]uint32, 2*len(gens))
		for i, g := range gens {
			if g == d.gen {
				j := d.slot(keys[i])
				d.keys[j], d.gens[j] = keys[i], d.gen
			}
		}
	}
	i := d.slot(k)
	if d.gens[i] == d.gen {
		return false
	}
	d.keys[i], d.gens[i] = k, d.gen
	d.used++
	return true
}

func (d *dataSet) slot(k uint32) int {
	mask := len(d.keys) - 1
	i := int(uint64(k)*0x9e3779b97f4a7c15>>40) & mask
	for d.gens[i] == d.gen && d.keys[i] != k {
		i = (i + 1) & mask
	}
	return i
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
	if int(n) >= len(a.rets) {
		a.rets = append(a.rets, make([]*entry, int(n)+1-len(a.rets))...)
	}
	e := a.rets[n]
	if e == nil {
		e = a.ents.new(entry{n: n, built: true})
		a.rets[n] = e
		a.set = append(a.set, n)
	}
	return e
}

// level emits the level holding n, falling back to fall.
func (a *argGen) level(n *policy.Node, fall *entry) *entry {
	nodes := n.Level()
	key := levelKey{nodes[0], fall}
	if e := a.memo.get(key); e != nil {
		return e
	}
	e := fall
	for i := len(nodes) - 1; i >= 0; i-- {
		j := i + 1
		if a.g.switches {
			j = a.switchRun(nodes, i)
		}
		if i-j+1 >= minSwitch {
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
	a.memo.put(key, e)
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
	seen := &a.seen
	seen.reset()
	seen.add(nodes[i].Datum)
	j := i
	for j > 0 && switchable(nodes[j-1]) && a.offset(nodes[j-1]) == off && seen.add(nodes[j-1].Datum) {
		j--
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
	// The data are distinct (see switchRun), so sorting them with
	// their index below settles the order of the nodes.
	a.keys = a.keys[:0]
	for x, m := range run {
		a.keys = append(a.keys, uint64(m.Datum)<<32|uint64(x))
	}
	slices.Sort(a.keys)
	base := len(a.runs)
	for _, k := range a.keys {
		a.runs = append(a.runs, run[uint32(k)])
	}
	full := ^uint32(0)
	s := eqSearch{a: a, base: base, off: off, next: next, fail: a.from(next, off, full)}
	root := s.search(0, len(run)-1)
	a.runs = a.runs[:base]
	return a.ents.new(entry{loads: true, off: off, mask: full, raw: root, masked: root})
}

// eqSearch is one eqSwitch's search, over a.runs[base:]: a nested
// switch, in a branch, sorts its run above it.
type eqSearch struct {
	a    *argGen
	base int
	off  uint32
	next *entry
	fail node
}

func (s *eqSearch) search(i, j int) node {
	a, b, full := s.a, s.a.g.b, ^uint32(0)
	if i == j {
		m := a.runs[s.base+i]
		return b.jump(opJeq, m.Datum, a.from(a.branch(m.True, s.next), s.off, full), s.fail)
	}
	mid := (i + j + 1) / 2
	hi := s.search(mid, j)
	lo := s.search(i, mid-1)
	return b.jump(opJge, a.runs[s.base+mid].Datum, hi, lo)
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
	return a.ents.new(entry{loads: true, off: off, mask: m.Mask, raw: raw, masked: jmp})
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
