package policy

import (
	"fmt"
	"strings"
)

// A syscall's argument rules are not kept as a list. Like libseccomp, which
// this package must match decision for decision, they are merged into one
// decision graph of 32-bit comparisons, and the merge, not the order of the
// calls, decides which rule wins where rules overlap.
//
// The graph is made of levels. A level is a list of nodes kept in a fixed
// order (see less). A call is tested against the nodes of the first level
// in turn; a node's outcome either ends the walk with an action, descends
// into another level, or, when the outcome has neither, moves on to the
// next node. A level that runs out of nodes hands control back to the
// level above it, after the node that descended; the top level running out
// means the default action.
//
// Nodes of a rule's chain are shared between branches (a 64-bit "greater
// than" reaches the next argument from two places), and merging keeps that
// sharing, so the graph is a DAG. Reference counts decide when a subtree
// that merging cut loose counts as removed, and that count steers the
// merge; they are kept exactly for that reason, not for memory.

// Node is one 32-bit comparison: (word & Mask) Op Datum, where the word is
// the high or the low half of argument Arg.
type Node struct {
	Arg  uint
	High bool // compares bits 63..32 of the argument
	// Op is OpEQ, OpMaskedEQ, OpGT or OpGE. NE, LT and LE are EQ, GE and
	// GT with the outcomes exchanged.
	Op    Op
	Mask  uint32
	Datum uint32 // already masked

	// True and False say where each outcome of the test leads.
	True, False Branch

	orig       Op     // the rule's own comparison, which orders a level
	full       uint64 // the rule's 64-bit datum
	prev, next *Node  // neighbours on the level
	refs       uint32
}

// Branch is one outcome of a Node: a level to descend into (Next), or an
// action (when Final), or, with neither, the next node of the level. Next
// wins over an action, as it does in the emitted program.
type Branch struct {
	Next   *Node
	Action Action
	Final  bool
}

// Level returns the nodes of n's level, in the order they are tested.
func (n *Node) Level() []*Node {
	var out []*Node
	for m := n.first(); m != nil; m = m.next {
		out = append(out, m)
	}
	return out
}

// Test reports the outcome of n's comparison for the argument values.
func (n *Node) Test(args *[MaxArgs]uint64) bool {
	v := args[n.Arg]
	if n.High {
		v >>= 32
	}
	w := uint32(v) & n.Mask
	switch n.Op {
	case OpGT:
		return w > n.Datum
	case OpGE:
		return w >= n.Datum
	}
	return w == n.Datum
}

// walk runs the level containing n; ok is false when every node of the
// level passed the decision on.
func walk(n *Node, args *[MaxArgs]uint64) (act Action, ok bool) {
	for m := n.first(); m != nil; m = m.next {
		b := m.False
		if m.Test(args) {
			b = m.True
		}
		switch {
		case b.Next != nil:
			if act, ok := walk(b.Next, args); ok {
				return act, true
			}
		case b.Final:
			return b.Action, true
		}
	}
	return 0, false
}

// First returns the first node of n's level; with Following it walks
// the level as Level lists it, without building a slice.
func (n *Node) First() *Node { return n.first() }

// Following returns the node after n on its level, or nil.
func (n *Node) Following() *Node { return n.next }

func (n *Node) first() *Node {
	for n.prev != nil {
		n = n.prev
	}
	return n
}

func (n *Node) leaf() bool { return n.True.Next == nil && n.False.Next == nil }

// dead is a leaf that decides nothing.
func (n *Node) dead() bool { return n.leaf() && !n.True.Final && !n.False.Final }

// rank orders the words of a level: higher arguments first, and the high
// word of an argument before its low word.
func (n *Node) rank() uint {
	r := n.Arg << 1
	if n.High {
		r |= 1
	}
	return r
}

// opRank groups comparisons on one word: equality tests before upper
// bounds before lower bounds.
func opRank(o Op) int {
	switch o {
	case OpEQ, OpNE, OpMaskedEQ:
		return 3
	case OpLT, OpLE:
		return 2
	case OpGT, OpGE:
		return 1
	}
	return 0
}

// less says whether a sorts after b on a level (levels run from greatest to
// least). Upper bounds order by descending datum, the rest by ascending
// datum, so that the tightest test of each kind comes last.
func less(a, b *Node) bool {
	if ra, rb := a.rank(), b.rank(); ra != rb {
		return ra < rb
	}
	if oa, ob := opRank(a.orig), opRank(b.orig); oa != ob {
		return oa < ob
	}
	if a.orig == OpLT || a.orig == OpLE {
		return a.Datum > b.Datum
	}
	return a.Datum < b.Datum
}

// same says whether a and b make the same test and can be merged.
func same(a, b *Node) bool {
	return a.rank() == b.rank() && a.Op == b.Op && a.Datum == b.Datum && a.Mask == b.Mask
}

// hold takes a reference on n.
func hold(n *Node) *Node {
	if n != nil {
		n.refs++
	}
	return n
}

// release drops the reference *p holds. When it was the last, the node
// leaves its level, which closes up, and its subtrees lose a reference;
// *p then points at a neighbour that remains, or nil. It returns how many
// nodes went away.
func release(p **Node) int {
	n := *p
	if n == nil {
		return 0
	}
	n.refs--
	if n.refs != 0 {
		return 0
	}
	cnt := 0
	before, after := n.prev, n.next
	// Cut the node out before dropping its neighbours' references: a
	// neighbour that goes away must not walk back into it.
	if before != nil {
		before.next = nil
	}
	if after != nil {
		after.prev = nil
	}
	cnt += release(&before)
	cnt += release(&after)
	if before != nil {
		before.next = hold(after)
	}
	if after != nil {
		after.prev = hold(before)
	}
	switch {
	case before != nil:
		*p = before
	case after != nil:
		*p = after
	default:
		*p = nil
	}
	t, f := n.True.Next, n.False.Next
	cnt += releaseTree(&t)
	cnt += releaseTree(&f)
	return cnt + 1
}

// releaseTree drops a parent's reference on a level and, when nothing
// outside the level refers to it any more, drops the whole level.
func releaseTree(p **Node) int {
	cnt := release(p)
	if *p != nil {
		cnt += sweepLevel(*p)
	}
	return cnt
}

// sweepLevel removes n's level if its nodes are referenced only by each
// other.
func sweepLevel(n *Node) int {
	start := n.first()
	for m := start; m != nil; m = m.next {
		links := uint32(0)
		if m.prev != nil {
			links++
		}
		if m.next != nil {
			links++
		}
		if m.refs > links {
			return 0
		}
	}
	cnt := 0
	for m := start; m != nil; {
		before := m
		cnt += release(&m)
		if m == before {
			// Counts that do not add up would spin here forever;
			// leave the rest of the level alone instead.
			break
		}
	}
	return cnt
}

// chain builds the comparison nodes of one rule for an ABI with 64-bit
// (wide) or 32-bit arguments, and returns the root, or nil when every
// comparison is always true. Comparisons are chained by argument number
// whatever order the caller gave them in.
func chain(conds []Cond, wide bool, act Action) *Node {
	var byArg [MaxArgs]*Cond
	for i := range conds {
		byArg[conds[i].Arg] = &conds[i]
	}
	// One allocation for the whole chain: merging then keeps or drops
	// nodes one by one, which a shared backing array does not mind.
	count := 0
	for _, c := range byArg {
		if c != nil && !alwaysTrue(c, wide) {
			count += chainLen(c, wide)
		}
	}
	if count == 0 {
		return nil
	}
	nodes := make([]Node, count)
	var root *Node
	// The outcomes where the previous comparison passes: the next one
	// is attached there, or the action once none follows.
	var pass [2]*Branch
	npass := 0
	for _, c := range byArg {
		if c == nil || alwaysTrue(c, wide) {
			continue
		}
		var head *Node
		var out [2]*Branch
		var nout int
		k := chainLen(c, wide)
		if wide {
			head, out, nout = chain64(c, nodes[:k:k])
		} else {
			head, out, nout = chain32(c, &nodes[0])
		}
		nodes = nodes[k:]
		if root == nil {
			root = hold(head)
		}
		for _, b := range pass[:npass] {
			b.Next = hold(head)
		}
		pass, npass = out, nout
	}
	for _, b := range pass[:npass] {
		*b = Branch{Action: act, Final: true}
	}
	return root
}

// alwaysTrue reports a comparison that no value fails, which chain
// leaves out.
func alwaysTrue(c *Cond, wide bool) bool {
	if wide {
		return c.Op == OpMaskedEQ && c.Mask == 0
	}
	return c.Op == OpMaskedEQ && uint32(c.Mask) == 0
}

// chainLen is the number of nodes chain32 or chain64 makes for c.
func chainLen(c *Cond, wide bool) int {
	switch {
	case !wide:
		return 1
	case c.Op == OpEQ || c.Op == OpMaskedEQ || c.Op == OpNE:
		return 2
	}
	return 3
}

// initNode fills n, which must be zero as chain's make leaves it, field by
// field: assigning a whole Node copies its pointers through the GC's write
// barrier, which costs more than the rest of the chain.
func initNode(n *Node, c *Cond, high bool, op Op, mask, datum uint32) *Node {
	n.Arg, n.High, n.Op, n.orig, n.Mask, n.Datum, n.full = c.Arg, high, op, c.Op, mask, datum&mask, c.Datum
	return n
}

// chain32 compares the low word only: 32-bit ABIs have nothing above it,
// so the rule's mask and datum are cut to 32 bits. It fills n and returns
// it with the outcome where c passes.
func chain32(c *Cond, n *Node) (*Node, [2]*Branch, int) {
	op, pass := c.Op, true
	switch c.Op {
	case OpNE:
		op, pass = OpEQ, false
	case OpLT:
		op, pass = OpGE, false
	case OpLE:
		op, pass = OpGT, false
	}
	initNode(n, c, false, op, uint32(c.Mask), uint32(c.Datum))
	if pass {
		return n, [2]*Branch{&n.True}, 1
	}
	return n, [2]*Branch{&n.False}, 1
}

// chain64 compares the two words of a 64-bit argument:
//
//	EQ, MASKED_EQ, NE:  hi == Dh ? (lo == Dl ? eq : ne) : ne
//	GT, GE, LE, LT:     hi > Dh ? above : (hi == Dh ? (lo >/>= Dl ? above : below) : below)
//
// where GT and LE test lo > Dl, GE and LT lo >= Dl, and the rule passes on
// eq (EQ), ne (NE), above (GT, GE) or below (LE, LT). It fills ns (two
// nodes for the equalities, three for the rest) and returns the first
// with the outcomes where c passes.
func chain64(c *Cond, ns []Node) (*Node, [2]*Branch, int) {
	mh, ml := uint32(c.Mask>>32), uint32(c.Mask)
	dh, dl := uint32(c.Datum>>32), uint32(c.Datum)
	switch c.Op {
	case OpEQ, OpMaskedEQ, OpNE:
		op := OpEQ
		if c.Op == OpMaskedEQ {
			op = OpMaskedEQ
		}
		hi, lo := initNode(&ns[0], c, true, op, mh, dh), initNode(&ns[1], c, false, op, ml, dl)
		hi.True.Next = hold(lo)
		if c.Op == OpNE {
			return hi, [2]*Branch{&hi.False, &lo.False}, 2
		}
		return hi, [2]*Branch{&lo.True}, 1
	}
	above, eq := initNode(&ns[0], c, true, OpGT, mh, dh), initNode(&ns[1], c, true, OpEQ, mh, dh)
	lop := OpGT
	if c.Op == OpGE || c.Op == OpLT {
		lop = OpGE
	}
	lo := initNode(&ns[2], c, false, lop, ml, dl)
	above.False.Next = hold(eq)
	eq.True.Next = hold(lo)
	if c.Op == OpGT || c.Op == OpGE {
		return above, [2]*Branch{&above.True, &lo.True}, 2
	}
	return above, [2]*Branch{&eq.False, &lo.False}, 2
}

// String renders the graph from n's level down, one node a line, indented
// by depth: "a1.lo == 0x2 ? ERRNO(2) : next".
func (n *Node) String() string {
	var b strings.Builder
	n.format(&b, 0)
	return b.String()
}

func (n *Node) format(b *strings.Builder, depth int) {
	for m := n.first(); m != nil; m = m.next {
		half := "lo"
		if m.High {
			half = "hi"
		}
		op := "=="
		switch m.Op {
		case OpGT:
			op = ">"
		case OpGE:
			op = ">="
		}
		mask := ""
		if m.Mask != ^uint32(0) {
			mask = fmt.Sprintf(" & %#x", m.Mask)
		}
		fmt.Fprintf(b, "%*sa%d.%s%s %s %#x ? %s : %s\n", 2*depth, "", m.Arg, half, mask, op, m.Datum, m.True, m.False)
		if m.True.Next != nil {
			fmt.Fprintf(b, "%*strue:\n", 2*depth+1, "")
			m.True.Next.format(b, depth+1)
		}
		if m.False.Next != nil {
			fmt.Fprintf(b, "%*sfalse:\n", 2*depth+1, "")
			m.False.Next.format(b, depth+1)
		}
	}
}

func (b Branch) String() string {
	switch {
	case b.Next != nil:
		return "down"
	case b.Final:
		return b.Action.String()
	}
	return "next"
}
