package tree

import "math"

// Choosing the search tree.
//
// Each range carries a weight, how often a call lands in it, and a cost,
// the most instructions its own code runs (1 for a ret, more for a
// syscall with argument rules). The tree minimises the expected number of
// comparisons, sum(weight * depth), under a bound on the longest path,
// max(depth + cost): without the bound, a syscall whose argument code is
// long sits as deep as any other, and its calls pay for both.
//
// This is the optimal alphabetic tree with a height limit, solved by
// dynamic programming over intervals of ranges. For each interval the
// table holds the least height any tree over it can have, hmin, the best
// tree of height hmin, hmin+1 and hmin+2, and the best tree of any height
// (found with Knuth's bound on the root, which makes that part O(n²));
// a height in between is served by the best entry that fits. The bound
// finally chosen is the least height whose cost is within slack of the
// best of any height: the first levels above the minimum buy most of the
// mean back, the rest very little.
//
// For the height-limited entries the root is searched between those of
// the two intervals one shorter, at the same height, where both exist: a
// heuristic there, checked against exhaustive search by the tests.
//
// The tables need n² memory and time, so they are filled for blocks of
// at most exactBlock ranges; above that, each interval is split where the
// weight is balanced, until the blocks are small.
//
// Ranges that no known syscall falls in still get a small weight, so the
// tree stays reasonably shallow for them too: the kernel runs the filter
// for any number a process passes.

// minWeight is the weight of a range no known syscall falls in, relative
// to 1 for a known syscall of average heat.
const minWeight = 1.0 / 64

// exactBlock is the largest interval shaped by the dynamic programme.
const exactBlock = 24

// limited is how many heights above hmin the table holds per interval;
// the entry after them is the best tree of any height.
const limited = 3

// knuthSlack widens Knuth's bound on the root; see fillCell.
const knuthSlack = 2

// slack is how much above the best expected cost the chosen tree may be,
// in exchange for a lower bound on its longest path. On Docker's profile
// the levels above the least height cost 9%, 2.2%, 0.5% and 0.2% more
// comparisons.
const slack = 1.0 / 128

// plan is a chosen search tree: split at k (the upper part starts with
// range k), or k == -1 for the jeq shortcut over three ranges, or a leaf
// when lo and hi are nil and k == i.
type plan struct {
	i, k   int
	lo, hi *plan
}

// cell is the table entry of one interval.
type cell struct {
	hmin, hany int8 // least height; height of the best tree of any height
	// root and cost of the best tree of height hmin+t for t < limited,
	// and of any height at [limited]; root -1 is the jeq shortcut.
	root [limited + 1]int16
	cost [limited + 1]float32
	// split is the best root of any height other than the jeq shortcut,
	// which Knuth's bound needs.
	split int16
}

// block is an interval the dynamic programme shapes, at depth in the tree
// of weight splits above it.
type block struct{ i, j, depth int }

// shaper holds the tables; its slices are reused from one section, and
// one program, to the next.
type shaper struct {
	lowest bool // choose the least height whatever it costs
	n      int
	pre    []float64 // weight of i..j is pre[j+1]-pre[i]
	base   []int     // cell of i..j, within a block, is cells[base[i]+j]
	cells  []cell
	blocks []block
	plans  []plan
	costs  []int8
	triple []bool
}

func (s *shaper) at(i, j int) *cell { return &s.cells[s.base[i]+j] }

// best returns the cost and root of the best tree of c's interval of
// height at most h; root -2 when there is none.
func (c *cell) best(h int) (float32, int) {
	t := h - int(c.hmin)
	switch {
	case t < 0:
		return float32(math.Inf(1)), -2
	case h >= int(c.hany):
		t = limited
	case t >= limited:
		t = limited - 1
	}
	return c.cost[t], int(c.root[t])
}

// planTree chooses the search tree over ranges with weights w and costs
// c. triple[i] says ranges i..i+2 can also be decided by one jeq on the
// middle range, which is a single number.
func (s *shaper) planTree(w []float64, c []int8, triple []bool) *plan {
	n := len(w)
	s.n, s.costs, s.triple = n, c, triple
	s.pre = grow(s.pre, n+1)
	for i, x := range w {
		s.pre[i+1] = s.pre[i] + x
	}
	s.blocks = s.blocks[:0]
	s.split(0, n-1, 0)
	// Each block's triangle of cells, by rows, one after the other.
	s.base = grow(s.base, n)
	cells := 0
	for _, b := range s.blocks {
		m := b.j - b.i + 1
		for i := b.i; i <= b.j; i++ {
			l := i - b.i
			s.base[i] = cells + l*m - l*(l-1)/2 - l - b.i
		}
		cells += m * (m + 1) / 2
	}
	s.cells = grow(s.cells, cells)
	// Heights are chosen for the whole tree at once: the blocks' tables
	// tell what each height costs.
	lo, hi := 0, 0
	for _, b := range s.blocks {
		s.fill(b.i, b.j)
		x := s.at(b.i, b.j)
		lo = max(lo, int(x.hmin)+b.depth)
		hi = max(hi, int(x.hany)+b.depth)
	}
	total := func(h int) float32 {
		var sum float32
		for _, b := range s.blocks {
			v, _ := s.at(b.i, b.j).best(h - b.depth)
			sum += v
		}
		return sum
	}
	h, best := hi, total(hi)
	for x := lo; x < hi && x < lo+limited; x++ {
		if s.lowest || total(x) <= best*(1+slack) {
			h = x
			break
		}
	}
	s.plans = grow(s.plans, 2*n)[:0]
	return s.build(0, n-1, 0, h)
}

// split cuts i..j into blocks where the weight is balanced.
func (s *shaper) split(i, j, depth int) {
	if j-i+1 <= exactBlock {
		s.blocks = append(s.blocks, block{i, j, depth})
		return
	}
	k := s.half(i, j)
	s.split(i, k-1, depth+1)
	s.split(k, j, depth+1)
}

// half is the split of i..j (the first range of its upper part) where
// the weight below and above are closest.
func (s *shaper) half(i, j int) int {
	mid := (s.pre[i] + s.pre[j+1]) / 2
	k := i + 1
	for k < j && s.pre[k] < mid {
		k++
	}
	if k > i+1 && mid-s.pre[k-1] < s.pre[k]-mid {
		k--
	}
	return k
}

// fill computes the tables of every interval within i..j, shortest first.
func (s *shaper) fill(i, j int) {
	for x := i; x <= j; x++ {
		c := s.at(x, x)
		c.hmin, c.hany = s.costs[x], s.costs[x]
		for t := range c.root {
			c.root[t], c.cost[t] = int16(x), 0
		}
		c.split = int16(x)
	}
	for length := 2; length <= j-i+1; length++ {
		for x := i; x+length-1 <= j; x++ {
			s.fillCell(x, x+length-1)
		}
	}
}

// fillCell computes the entry of i..j from those of its subintervals.
func (s *shaper) fillCell(i, j int) {
	c := s.at(i, j)
	base, cells := s.base, s.cells
	// hmin: the split that minimises the taller side; the left side
	// grows and the right shrinks with k, so search for the crossing.
	lo, hi := i+1, j
	for lo < hi {
		k := (lo + hi) / 2
		if cells[base[i]+k-1].hmin < cells[base[k]+j].hmin {
			lo = k + 1
		} else {
			hi = k
		}
	}
	hm := max(cells[base[i]+lo-1].hmin, cells[base[lo]+j].hmin)
	if lo > i+1 {
		hm = min(hm, max(cells[base[i]+lo-2].hmin, cells[base[lo-1]+j].hmin))
	}
	hm++
	isTriple := j == i+2 && s.triple[i]
	tripleH := int8(0)
	if isTriple {
		tripleH = max(s.costs[i], s.costs[i+1], s.costs[i+2]) + 1
		hm = min(hm, tripleH)
	}
	c.hmin = hm
	w := float32(s.pre[j+1] - s.pre[i])
	left, down := &cells[base[i]+j-1], &cells[base[i+1]+j] // one shorter

	// Any height: Knuth's bound, widened by knuthSlack on each side,
	// since the jeq shortcut breaks the inequality it rests on.
	kl, kh := i+1, j
	if i+1 < j {
		kl, kh = max(kl, int(left.split)-knuthSlack), min(kh, int(down.split)+knuthSlack)
		if kl > kh {
			kl, kh = i+1, j
		}
	}
	best, bestK, bestH := float32(math.Inf(1)), i+1, int8(0)
	for k := kl; k <= kh; k++ {
		a, b := &cells[base[i]+k-1], &cells[base[k]+j]
		v := a.cost[limited] + b.cost[limited]
		if h := max(a.hany, b.hany); v < best || v == best && h < bestH {
			best, bestK, bestH = v, k, h
		}
	}
	best, bestH = best+w, bestH+1
	c.split = int16(bestK)
	if isTriple && w <= best {
		best, bestK, bestH = w, -1, tripleH
	}
	c.cost[limited], c.root[limited], c.hany = best, int16(bestK), bestH

	for t := 0; t < limited; t++ {
		h := int(hm) + t
		if h >= int(c.hany) {
			c.cost[t], c.root[t] = c.cost[limited], c.root[limited]
			continue
		}
		// Only roots whose sides both fit in h-1 are worth a look:
		// the left side's least height grows with k, the right's
		// shrinks.
		kl, kh := s.fits(i, j, h-1)
		best, bestK := s.scan(i, j, h-1, kl, kh)
		best += w
		if isTriple && tripleH <= int8(h) && w <= best {
			best, bestK = w, -1
		}
		c.cost[t], c.root[t] = best, int16(bestK)
	}
}

// fits returns the roots k of i..j whose subtrees i..k-1 and k..j can
// both be at most h high.
func (s *shaper) fits(i, j, h int) (int, int) {
	base, cells := s.base, s.cells
	lo, hi := i+1, j+1 // first k whose right side fits
	for lo < hi {
		k := (lo + hi) / 2
		if int(cells[base[k]+j].hmin) <= h {
			hi = k
		} else {
			lo = k + 1
		}
	}
	kl := lo
	lo, hi = i, j // last k whose left side fits
	for lo < hi {
		k := (lo + hi + 1) / 2
		if int(cells[base[i]+k-1].hmin) <= h {
			lo = k
		} else {
			hi = k - 1
		}
	}
	return kl, lo
}

// scan finds the best root k in kl..kh for i..j with subtrees of height
// at most h; k is -2 when none fits.
func (s *shaper) scan(i, j, h, kl, kh int) (float32, int) {
	base, cells := s.base, s.cells
	best, bestK := float32(math.Inf(1)), -2
	for k := kl; k <= kh; k++ {
		a, _ := cells[base[i]+k-1].best(h)
		b, _ := cells[base[k]+j].best(h)
		if a+b < best {
			best, bestK = a+b, k
		}
	}
	return best, bestK
}

// build turns the tables into the plan for i..j, at depth in the tree,
// whose longest path is at most h.
func (s *shaper) build(i, j, depth, h int) *plan {
	s.plans = append(s.plans, plan{i: i, k: i})
	p := &s.plans[len(s.plans)-1]
	if i == j {
		return p
	}
	var k int
	if j-i+1 > exactBlock {
		k = s.half(i, j)
	} else {
		_, k = s.at(i, j).best(h)
	}
	p.k = k
	if k >= 0 {
		p.lo = s.build(i, k-1, depth+1, h-1)
		p.hi = s.build(k, j, depth+1, h-1)
	}
	return p
}
