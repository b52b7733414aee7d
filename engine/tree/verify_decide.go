package tree

import (
	"cmp"
	"slices"

	"github.com/seccomptree/seccomptree/engine/policy"
)

// decider answers policy.Syscall.Decide for many argument vectors of one
// syscall. Decide walks a level node by node, which for a syscall with
// hundreds of rules on one argument is hundreds of tests per vector, and
// the self-check tries up to ArgSampleBudget vectors: most of its time.
// decider flattens the graph once and looks up runs of equality tests on
// one word by binary search instead. It reads the graph only through
// policy's exported fields and keeps Decide's meaning (TestDecider holds it
// to that), so the check stays independent of how the generator encodes
// the same runs.
type decider struct {
	// nodes holds every level's nodes, each level a contiguous block.
	nodes  []dNode
	levels []dLevel
	heads  []*policy.Node // first node of each level, by level index
	runs   []dRun
	ents   []dEntry // the runs' lookup tables
	def    policy.Action
}

type dLevel struct{ start, end int32 } // in nodes

// dNode is one test: (word & mask) op datum, with word the index of a
// 32-bit half in words (see decide).
type dNode struct {
	word        uint8
	op          policy.Op
	mask, datum uint32
	t, f        dBranch
	run         int32 // the run that starts here, or -1
}

// dBranch is policy.Branch with the level as an index.
type dBranch struct {
	next  int32 // level to descend into, or -1
	final bool
	act   policy.Action
}

// dRun is a run of nodes start..end-1 of a level, each an equality test of
// the same whole word whose failure moves on to the next node, with
// distinct data: at most one of them passes, and the ones before it fail.
type dRun struct {
	word       uint8
	end        int32 // node after the run
	start, len int32 // lookup table in ents, sorted by datum
}

type dEntry struct {
	datum uint32
	node  int32
}

// minRun is the shortest run worth a search.
const minRun = 8

func wordOf(m *policy.Node) uint8 {
	w := uint8(2 * m.Arg)
	if m.High {
		w++
	}
	return w
}

// reset prepares d for a new syscall, keeping its memory.
func (d *decider) reset(def policy.Action) {
	d.nodes, d.levels, d.heads = d.nodes[:0], d.levels[:0], d.heads[:0]
	d.runs, d.ents = d.runs[:0], d.ents[:0]
	d.def = def
}

// level returns the index of n's level, flattening it on first sight.
// visit is called for every node of a level flattened.
func (d *decider) level(n *policy.Node, visit func(*policy.Node)) int32 {
	head := n.First()
	// Syscalls have few levels; a DAG of hundreds is rare enough for a
	// linear search.
	if i := slices.Index(d.heads, head); i >= 0 {
		return int32(i)
	}
	// Walked twice, to count and to fill, rather than copied out with
	// Level, whose slice would be garbage at once.
	count := 0
	for m := head; m != nil; m = m.Following() {
		count++
	}
	li := int32(len(d.levels))
	base := int32(len(d.nodes))
	d.heads = append(d.heads, head)
	d.levels = append(d.levels, dLevel{base, base + int32(count)})
	// Reserve the block before descending, which appends other levels.
	d.nodes = slices.Grow(d.nodes, count)[:int(base)+count]
	i := base
	for m := head; m != nil; m = m.Following() {
		visit(m)
		t, f := d.branch(m.True, visit), d.branch(m.False, visit)
		d.nodes[i] = dNode{
			word: wordOf(m), op: m.Op, mask: m.Mask, datum: m.Datum, t: t, f: f, run: -1,
		}
		i++
	}
	d.findRuns(base, base+int32(count))
	return li
}

// findRuns marks the runs of nodes start..end-1 long enough to search.
func (d *decider) findRuns(start, end int32) {
	for i := start; i < end; {
		j := i
		for j < end && runnable(&d.nodes[j]) && d.nodes[j].word == d.nodes[i].word {
			j++
		}
		if j-i < minRun {
			// A run starting inside this one would end where it does.
			i = max(i+1, j)
			continue
		}
		at := int32(len(d.ents))
		for k := i; k < j; k++ {
			d.ents = append(d.ents, dEntry{d.nodes[k].datum, k})
		}
		tab := d.ents[at:]
		// A level keeps its equality tests in descending order of
		// datum, so the table usually needs reversing, not sorting;
		// when its data are distinct the order is the same either way.
		desc := true
		for k := 1; k < len(tab) && desc; k++ {
			desc = tab[k-1].datum > tab[k].datum
		}
		if desc {
			slices.Reverse(tab)
		} else {
			slices.SortFunc(tab, func(a, b dEntry) int { return cmp.Compare(a.datum, b.datum) })
		}
		distinct := true
		for k := 1; k < len(tab); k++ {
			if tab[k].datum == tab[k-1].datum {
				distinct = false // then the first of equals wins; keep it simple
			}
		}
		if !distinct {
			d.ents = d.ents[:at]
			i = j
			continue
		}
		d.nodes[i].run = int32(len(d.runs))
		d.runs = append(d.runs, dRun{word: d.nodes[i].word, end: j, start: at, len: j - i})
		i = j
	}
}

// runnable is a node that can be part of a run.
func runnable(n *dNode) bool {
	return (n.op == policy.OpEQ || n.op == policy.OpMaskedEQ) && n.mask == ^uint32(0) && n.f.next < 0 && !n.f.final
}

func (d *decider) branch(b policy.Branch, visit func(*policy.Node)) dBranch {
	if b.Next != nil {
		return dBranch{next: d.level(b.Next, visit)}
	}
	return dBranch{next: -1, final: b.Final, act: b.Action}
}

// decide is Decide for the syscall flattened from level 0, with the
// argument halves in words: words[2i] is the low half of argument i,
// words[2i+1] the high one.
func (d *decider) decide(words *[2 * policy.MaxArgs]uint32) policy.Action {
	if act, ok := d.walk(0, words); ok {
		return act
	}
	return d.def
}

func (d *decider) walk(li int32, words *[2 * policy.MaxArgs]uint32) (policy.Action, bool) {
	lv := d.levels[li]
	for i := lv.start; i < lv.end; i++ {
		n := &d.nodes[i]
		if n.run >= 0 {
			run := &d.runs[n.run]
			tab := d.ents[run.start : run.start+run.len]
			// By hand: slices.BinarySearchFunc's comparison through a
			// closure cost most of a decision.
			w := words[run.word]
			k, hi := 0, len(tab)
			for k < hi {
				if m := int(uint(k+hi) >> 1); tab[m].datum < w {
					k = m + 1
				} else {
					hi = m
				}
			}
			// The nodes before a match fail, and so do those after it,
			// whose data differ: only the match's branch is taken.
			if k < len(tab) && tab[k].datum == w {
				if act, ok := d.follow(d.nodes[tab[k].node].t, words); ok {
					return act, true
				}
			}
			i = run.end - 1
			continue
		}
		w := words[n.word] & n.mask
		var pass bool
		switch n.op {
		case policy.OpGT:
			pass = w > n.datum
		case policy.OpGE:
			pass = w >= n.datum
		default:
			pass = w == n.datum
		}
		b := n.f
		if pass {
			b = n.t
		}
		// follow, written out for the commonest caller: a call per
		// node tested was a good part of a decision.
		switch {
		case b.next >= 0:
			if act, ok := d.walk(b.next, words); ok {
				return act, true
			}
		case b.final:
			return b.act, true
		}
	}
	return 0, false
}

// follow takes branch b of a node: a descent or an action decides or
// not, and nothing moves on.
func (d *decider) follow(b dBranch, words *[2 * policy.MaxArgs]uint32) (policy.Action, bool) {
	switch {
	case b.next >= 0:
		return d.walk(b.next, words)
	case b.final:
		return b.act, true
	}
	return 0, false
}
