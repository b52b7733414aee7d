package policy

// Merging a rule's chain into a syscall's graph happens in two passes, as
// in libseccomp. The first (prune) compares the new chain with the graph:
// existing branches that the new rule makes redundant (a longer chain with
// the new rule's action under a prefix the new rule covers) are cut, and a
// new rule that an existing shorter chain already covers is dropped. The
// second (graft) walks both and splices the new nodes in, keeping every
// level sorted; where both end in different actions on the same test the
// rule is refused with ErrExist.
//
// The order of tests in a level, and so which of two overlapping rules
// decides, follows from this and not from the order the rules came in.

// Facts prune gathers about where the new chain meets the graph.
const (
	pMatch     = 1 << iota // the chain met an equal node on this path
	pMatchOnce             // ... at some point, even if the path broke later
	_
	_
	pExistDone // the existing path ends at the meeting node
	pNewDone   // the new chain ends at the meeting node
	_
	_
	pExistLonger // the existing path had tests the new chain skips
	pNewLonger   // the new chain had tests the existing path skips

	pMatched   = pMatch | pMatchOnce
	pRedundant = pMatch | pExistDone | pNewLonger
)

// pruneState is carried down prune's recursion. root is the syscall's
// graph, from which cut nodes are removed.
type pruneState struct {
	flags  uint
	action Action
	root   **Node
}

// prune cuts from the graph containing x the branches that chain n makes
// redundant, and returns how many nodes went away and st's flags updated
// with whether n is itself redundant. st goes by value: through a pointer
// every level of the recursion put its copy on the heap.
func prune(x, n *Node, st pruneState) (int, uint) {
	cnt := 0
	res := st
	if n == nil || x == nil || st.flags&pMatched == pMatchOnce {
		return finishPrune(&st, &res, cnt)
	}
	// descend prunes one level down, keeping x referenced meanwhile, as
	// the pass may remove it; it reports whether the caller should stop
	// (and x, which becomes nil when it went away).
	descend := func(x, xsub, nsub *Node, set, clear uint) (*Node, uint) {
		hold(x)
		sub := st
		sub.flags = sub.flags&^clear | set
		c, f := prune(xsub, nsub, sub)
		cnt += c
		cnt += release(&x)
		return x, f
	}
	// A leaf n with neither length flag set has nothing to do at a leaf
	// x it does not equal: both other cases below would only look for
	// subtrees, and neither has one. Long levels of alternatives on one
	// argument (socket families) are mostly such nodes, and each new rule
	// scans the whole level, so skipping them without ordering them
	// saves most of that scan.
	quiet := n.leaf() && st.flags&(pNewLonger|pExistLonger) == 0
	for x = x.first(); x != nil; {
		following := x.next
		if quiet && x.leaf() && !same(x, n) {
			x = following
			continue
		}
		switch {
		case same(x, n):
			res.flags |= pMatched
			if n.leaf() {
				res.flags |= pNewDone
			}
			if x.leaf() {
				res.flags |= pExistDone
			}
			if (x.True.Final || x.True.Next != nil) && !(n.True.Final || n.True.Next != nil) ||
				(x.False.Final || x.False.Next != nil) && !(n.False.Final || n.False.Next != nil) {
				return finishPrune(&st, &res, cnt)
			}
			if res.flags&pNewDone != 0 && res.flags&pExistDone != 0 && (n.True != x.True || n.False != x.False) {
				return finishPrune(&st, &res, cnt)
			}
			gone := false
			for _, side := range [2]bool{true, false} {
				nb, xb := n.branch(side), x.branch(side)
				if nb.Next == nil {
					continue
				}
				var f uint
				x, f = descend(x, xb.Next, nb.Next, pMatched, 0)
				if f&pMatch != 0 {
					res.flags |= f
				}
				if x == nil {
					gone = true
					break
				}
			}
			if gone {
				break
			}
			// allActions walks the whole subgraph: ask only when the
			// flags make its answer matter.
			matched := res.flags&pMatch != 0
			newShorter := res.flags&pNewDone != 0 && res.flags&pExistLonger != 0
			existShorter := res.flags&pExistDone != 0 && res.flags&pNewLonger != 0
			uniform := matched && (newShorter || existShorter) && allActions(x, res.action)
			if uniform && newShorter {
				// The new rule decides everything below here
				// the same way with fewer tests.
				cnt += removeNode(st.root, x)
				if *st.root == nil {
					return finishPrune(&st, &res, cnt)
				}
			} else if uniform && existShorter {
				return finishPrune(&st, &res, cnt)
			}
		case less(x, n):
			// n's test sorts before x's: x's path has a test n
			// lacks, look for n's below it.
			if st.flags&pNewLonger != 0 {
				return finishPrune(&st, &res, cnt)
			}
			for _, side := range [2]bool{true, false} {
				xb := x.branch(side).Next
				if xb == nil {
					continue
				}
				var f uint
				x, f = descend(x, xb, n, pExistLonger, pMatch)
				if f&pMatch != 0 {
					res.flags |= f
					return finishPrune(&st, &res, cnt)
				}
				if x == nil {
					break
				}
			}
		default:
			// The other way round: skip a test of the new chain.
			if st.flags&pExistLonger != 0 {
				return finishPrune(&st, &res, cnt)
			}
			for _, nb := range [2]*Node{n.True.Next, n.False.Next} {
				if nb == nil {
					continue
				}
				var f uint
				x, f = descend(x, x, nb, pNewLonger, pMatch)
				if f&pMatch != 0 {
					res.flags |= f
					return finishPrune(&st, &res, cnt)
				}
				if x == nil {
					break
				}
			}
		}
		x = following
	}
	// Ran off the level without meeting n.
	res.flags &^= pMatch
	return finishPrune(&st, &res, cnt)
}

func finishPrune(st, res *pruneState, cnt int) (int, uint) {
	if res.flags&pMatch != 0 {
		return cnt, st.flags | res.flags
	}
	return cnt, st.flags &^ pMatch
}

func (n *Node) branch(side bool) *Branch {
	if side {
		return &n.True
	}
	return &n.False
}

// removeNode takes target, and every node left deciding nothing on the way
// to it, out of the graph at *root.
func removeNode(root **Node, target *Node) int {
	if root == nil || *root == nil || target == nil {
		return 0
	}
	cnt := 0
	c := (*root).first()
	for {
		if c == target {
			break
		}
		cnt += removeNode(&c.True.Next, target)
		cnt += removeNode(&c.False.Next, target)
		if c.dead() {
			break
		}
		c = c.next
		if c == nil || cnt != 0 {
			return cnt
		}
	}
	if c == *root {
		if c.prev != nil {
			*root = c.prev
		} else {
			*root = c.next
		}
	}
	if c.prev != nil {
		c.prev.next = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	}
	c.prev, c.next = nil, nil
	return cnt + release(&c)
}

// allActions reports whether every action in the graph from x's level
// down is act.
func allActions(x *Node, act Action) bool {
	if x == nil {
		return true
	}
	for c := x.first(); c != nil; c = c.next {
		if c.True.Final && c.True.Action != act || c.False.Final && c.False.Action != act {
			return false
		}
		if !allActions(c.True.Next, act) || !allActions(c.False.Next, act) {
			return false
		}
	}
	return true
}

// graft splices chain n into the level holding *at. legacy repeats
// libseccomp 2.5.4's merge (see Filter.Legacy254).
func graft(at **Node, n *Node, legacy bool) error {
	for x := *at; x != nil; {
		switch {
		case same(x, n):
			for _, side := range [2]bool{true, false} {
				if err := mergeAction(x, n, side, legacy); err != nil {
					return err
				}
			}
			for _, side := range [2]bool{true, false} {
				nb, xb := n.branch(side), x.branch(side)
				switch {
				case nb.Next == nil:
				case xb.Next != nil:
					if err := graft(&xb.Next, nb.Next, legacy); err != nil {
						return err
					}
				case !xb.Final:
					xb.Next = hold(nb.Next)
				default:
					// x already decides here with fewer tests.
					return nil
				}
			}
			return nil
		case onLevel(x, n):
			// The level is shared by two parents and n went in
			// through the other one. libseccomp links n in again
			// and makes the level a cycle, where it then loops
			// forever (LIBSECCOMP-BUGS #4); it is already where
			// it belongs.
			return nil
		case !less(x, n):
			if x.next == nil {
				n.prev = hold(x)
				x.next = hold(n)
				return nil
			}
			x = x.next
		default:
			// n sorts before x.
			if x.prev != nil {
				x.prev.next = hold(n)
				n.prev = x.prev
				x.prev = hold(n)
				n.next = x
			} else {
				x.prev = hold(n)
				n.next = hold(x)
			}
			if *at == x {
				*at = hold(n)
				release(&x)
			}
			return nil
		}
	}
	return nil
}

// mergeAction merges the action of n's outcome side into equal node x.
// An action replaces a subtree whose actions all agree with it; two
// different actions on the same test conflict.
func mergeAction(x, n *Node, side, legacy bool) error {
	nb, xb := n.branch(side), x.branch(side)
	if !nb.Final {
		return nil
	}
	if !xb.Final {
		if !allActions(xb.Next, nb.Action) {
			return ErrExist
		}
		release(&xb.Next)
		*xb = Branch{Action: nb.Action, Final: true}
		return nil
	}
	if nb.Action == xb.Action {
		return nil
	}
	// On the high word the test is only part of a 64-bit comparison:
	// keep the action of the rule whose full datum is more demanding
	// on that side (larger for a pass, smaller for a fail).
	if n.High && (side && n.full > x.full || !side && n.full < x.full) {
		if legacy && !side {
			// 2.5.4 stored the fail action as the pass action.
			xb = &x.True
		}
		xb.Action = nb.Action
	}
	if x.leaf() || n.leaf() {
		return ErrExist
	}
	return nil
}

// onLevel reports whether n is one of the nodes of x's level.
func onLevel(x, n *Node) bool {
	if n.prev == nil && n.next == nil {
		return false // not linked into any level yet
	}
	for m := x.first(); m != nil; m = m.next {
		if m == n {
			return true
		}
	}
	return false
}
