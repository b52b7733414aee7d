package tree

import (
	"math"
	"math/bits"
)

// Choosing the search tree.
//
// Each range carries a weight, how often a call lands in it, and a cost,
// the most instructions its own code runs (1 for a ret, more for a
// syscall with argument rules). The tree minimises the expected number of
// comparisons, sum(weight * depth), under a bound on the longest path,
// max(depth + cost): without the bound, a syscall whose argument code is
// long sits as deep as any other, and its calls pay for both.
//
// First the best tree of any height is found for every interval of
// ranges, by dynamic programming with Knuth's bound on the root, which
// makes it O(n²). Its costs are lower bounds for the trees of limited
// height, so the best tree of a given height is then found top down by
// branch and bound: an interval whose best tree of any height fits is
// done, and otherwise its roots are tried in the order of that bound
// until the bound exceeds the best found, remembering every interval and
// height solved. Only the intervals that are too tall at their depth are
// visited, which for a bound near the unlimited tree's height is a small
// part of the n²·height table a plain programme would fill.
//
// Whether a root can fit at all is told by packing: a tree of height h
// exists iff the ranges, each taking 2^cost of the 2^h slots at the
// leaves and aligned to it, fit in order (a slot left empty is removed by
// contracting its parent). That takes O(length) for all roots at once.
//
// The bound finally chosen is the least height whose cost is within
// slack of the best of any height: the first levels above the minimum buy
// most of the mean back, the rest very little.
//
// Ranges that no known syscall falls in still get a small weight, so the
// tree stays reasonably shallow for them too: the kernel runs the filter
// for any number a process passes.

// minWeight is the weight of a range no known syscall falls in, relative
// to 1 for a known syscall of average heat.
const minWeight = 1.0 / 64

// exactBlock is the largest interval shaped exactly; above it (rare:
// programs with hundreds of ranges) each interval is split where the
// weight is balanced, which bounds the n² table.
const exactBlock = 24

// knuthSlack widens Knuth's bound on the root; see fillAny.
const knuthSlack = 3

// slack is how much above the best expected cost the chosen tree may be,
// in exchange for a lower bound on its longest path. On Docker's profile
// the levels above the least height cost 9%, 2.2%, 0.5% and 0.2% more
// comparisons. It is measured against the exact best, which is up to
// half a percent below what the earlier, approximate tables called best,
// hence a little more than the 1/128 they used.
const slack = 1.0 / 80

// maxUnitCost caps a range's cost in the packing test, which counts
// slots in a uint64; a range that costs more than this never fits
// anywhere but alone, so the cap only loosens hopeless cases, which
// branch and bound then rejects at the leaf.
const maxUnitCost = 50

// plan is a chosen search tree: split at k (the upper part starts with
// range k), or k == -1 for the jeq shortcut over three ranges, or a leaf
// when lo and hi are nil and k == i.
type plan struct {
	i, k   int
	lo, hi *plan
}

// block is an interval shaped exactly, at depth in the tree of weight
// splits above it; its tables start at off.
type block struct{ i, j, depth, off, poff int }

// shaper holds the tables; its slices are reused from one section, and
// one program, to the next.
type shaper struct {
	lowest bool // choose the least height whatever it costs
	costs  []int8
	triple []bool
	pre    []float64 // weight of i..j is pre[j+1]-pre[i]
	plans  []plan

	blocks []block
	next   int // the block shape reaches next

	// The block in use: ranges i0..i0+m-1; the best tree of any height
	// over its local ranges a..b is at off+a*m+b, and its mirror at
	// off+b*m+a (cost and hany only).
	i0, m, off int
	wpre       []float32 // the block's weights, prefix sums from its start
	// Packing of the block's prefixes from each a, pack[poff+a*(m+1)+t]
	// for a..a+t-1, and of its suffixes up to each b, at
	// pack[poff+m*(m+1)+b*(m+1)+t] for b-t+1..b; filled a row at a time
	// when first needed (packed at the row's start says so).
	poff   int
	pack   []uint64
	packed []bool
	cost   []float32
	root   []int16 // local root; -1 for the jeq shortcut
	split  []int16 // best root other than the jeq shortcut, for Knuth's bound
	hany   []int8  // height of that tree

	memo limMemo
	lbs  []float32 // lower bounds of roots, a stack
}

// planTree chooses the search tree over ranges with weights w and costs
// c. triple[i] says ranges i..i+2 can also be decided by one jeq on the
// middle range, which is a single number.
func (s *shaper) planTree(w []float64, c []int8, triple []bool) *plan {
	n := len(w)
	s.costs, s.triple = c, triple
	s.pre = grow(s.pre, n+1)
	for i, x := range w {
		s.pre[i+1] = s.pre[i] + x
	}
	s.blocks = s.blocks[:0]
	s.cut(0, n-1, 0)
	cells, packs := 0, 0
	for x := range s.blocks {
		b := &s.blocks[x]
		m := b.j - b.i + 1
		b.off, b.poff = cells, packs
		cells += m * m
		packs += 2 * m * (m + 1)
	}
	s.cost, s.root = grow(s.cost, cells), grow(s.root, cells)
	s.split, s.hany = grow(s.split, cells), grow(s.hany, cells)
	s.pack, s.packed = grow(s.pack, packs), grow(s.packed, packs)
	clear(s.packed)
	s.memo.reset()
	// One height for the whole tree: each block's share of it is what
	// is left below the weight splits above it.
	lo, hi := 0, 0
	for x := range s.blocks {
		b := &s.blocks[x]
		s.use(b)
		s.fillAny()
		m := b.j - b.i + 1
		lo = max(lo, s.least(0, m-1)+b.depth)
		hi = max(hi, int(s.hany[s.off+m-1])+b.depth)
	}
	stop := float32(math.Inf(1))
	total := func(h int) float32 {
		var sum float32
		for x := range s.blocks {
			b := &s.blocks[x]
			s.use(b)
			v, _ := s.limited(0, b.j-b.i, h-b.depth)
			if sum += v; sum > stop {
				break // too dear already
			}
		}
		return sum
	}
	h := hi
	if s.lowest {
		if !math.IsInf(float64(total(lo)), 1) {
			h = lo
		}
	} else {
		best := total(hi) * (1 + slack)
		stop = best
		for x := hi - 1; x >= lo; x-- {
			if total(x) > best {
				break
			}
			h = x
		}
	}
	s.plans = grow(s.plans, 2*n)[:0]
	s.next = 0
	return s.shape(0, n-1, h)
}

// cut splits i..j into blocks where the weight is balanced.
func (s *shaper) cut(i, j, depth int) {
	if j-i+1 <= exactBlock {
		s.blocks = append(s.blocks, block{i: i, j: j, depth: depth})
		return
	}
	k := s.half(i, j)
	s.cut(i, k-1, depth+1)
	s.cut(k, j, depth+1)
}

// use makes b the block the tables are read from.
func (s *shaper) use(b *block) { s.i0, s.m, s.off, s.poff = b.i, b.j-b.i+1, b.off, b.poff }

// shape builds the plan of i..j with longest path h: weight splits
// above the blocks, in the order cut made them.
func (s *shaper) shape(i, j, h int) *plan {
	if j-i+1 <= exactBlock {
		b := &s.blocks[s.next]
		s.next++
		s.use(b)
		return s.build(0, j-i, h)
	}
	k := s.half(i, j)
	s.plans = append(s.plans, plan{i: i, k: k})
	p := &s.plans[len(s.plans)-1]
	p.lo = s.shape(i, k-1, h-1)
	p.hi = s.shape(k, j, h-1)
	return p
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

// fillAny computes the best tree of any height over every interval of
// the block in use. Rows are filled from the last up, each left to
// right, which has both intervals one shorter that Knuth's bound needs
// ready, and reads both sides of a root as rows: the lower from the
// row, the upper from the mirror below the diagonal.
func (s *shaper) fillAny() {
	i, m := s.i0, s.m
	s.wpre = grow(s.wpre, m+1)
	wp := s.wpre
	wp[0] = 0
	for x := range m {
		wp[x+1] = float32(s.pre[i+x+1] - s.pre[i])
	}
	n := m * m
	cost, root, split, hany := s.cost[s.off:s.off+n], s.root[s.off:s.off+n], s.split[s.off:s.off+n], s.hany[s.off:s.off+n]
	c, tr := s.costs[i:i+m], s.triple[i:i+m]
	for a := m - 1; a >= 0; a-- {
		row := a * m
		cost[row+a], root[row+a], split[row+a], hany[row+a] = 0, int16(a), int16(a), c[a]
		for b := a + 1; b < m; b++ {
			// Knuth's bound, widened by knuthSlack on each side,
			// since the jeq shortcut breaks the inequality it rests
			// on.
			kl, kh := a+1, b
			if b > a+1 {
				kl, kh = max(kl, int(split[row+b-1])-knuthSlack), min(kh, int(split[row+m+b])+knuthSlack)
				if kl > kh {
					kl, kh = a+1, b
				}
			}
			// Root k: the lower side a..k-1 is at row+k-1, the upper
			// k..b at the mirror, b*m+k. Of equal costs the lower
			// tree wins; heights are looked at only then.
			l, u := row-1, b*m
			bk, best, ties := kl, cost[l+kl]+cost[u+kl], false
			for k := kl + 1; k <= kh; k++ {
				v := cost[l+k] + cost[u+k]
				if v < best {
					best, bk, ties = v, k, false
				} else if v == best {
					ties = true
				}
			}
			// Ties, rare but for uniform weights, are settled apart,
			// which keeps the heights out of the loop.
			bestH := max(hany[l+bk], hany[u+bk])
			if ties {
				for k := bk + 1; k <= kh; k++ {
					if cost[l+k]+cost[u+k] == best {
						if h := max(hany[l+k], hany[u+k]); h < bestH {
							bk, bestH = k, h
						}
					}
				}
			}
			split[row+b] = int16(bk)
			w := wp[b+1] - wp[a]
			if b == a+2 && tr[a] {
				// One comparison for all three: nothing is cheaper.
				best, bk, bestH = 0, -1, max(c[a], c[a+1], c[a+2])
			}
			cost[row+b], root[row+b], hany[row+b] = best+w, int16(bk), bestH+1
			cost[u+a], hany[u+a] = best+w, bestH+1
		}
	}
}

// place packs a range of cost c after the slots up to x and returns
// where it ends.
func place(x uint64, c int8) uint64 {
	sz := uint64(1) << min(c, maxUnitCost)
	return (x+sz-1)&^(sz-1) + sz
}

// prefixes returns the packing of the prefixes of local ranges a..: at
// t, the fewest slots a..a+t-1 pack into, the jeq shortcut included.
func (s *shaper) prefixes(a int) []uint64 {
	m := s.m
	at := s.poff + a*(m+1)
	f := s.pack[at : at+m-a+1]
	if s.packed[at] {
		return f
	}
	s.packed[at] = true
	c, tr := s.costs[s.i0+a:s.i0+m], s.triple[s.i0+a:s.i0+m]
	f[0] = 0
	for t := 1; t < len(f); t++ {
		f[t] = math.MaxUint64
	}
	for t := range c {
		f[t+1] = min(f[t+1], place(f[t], c[t]))
		if tr[t] && t+3 < len(f) {
			f[t+3] = min(f[t+3], place(f[t], max(c[t], c[t+1], c[t+2])+1))
		}
	}
	return f
}

// suffixes is prefixes mirrored: at t, the fewest slots b-t+1..b pack
// into, packed from the right, which fits the same trees mirrored.
func (s *shaper) suffixes(b int) []uint64 {
	m := s.m
	at := s.poff + m*(m+1) + b*(m+1)
	g := s.pack[at : at+b+2]
	if s.packed[at] {
		return g
	}
	s.packed[at] = true
	c, tr := s.costs[s.i0:s.i0+b+1], s.triple[s.i0:s.i0+b+1]
	g[0] = 0
	for t := 1; t < len(g); t++ {
		g[t] = math.MaxUint64
	}
	for t := 0; t <= b; t++ {
		x := b - t
		g[t+1] = min(g[t+1], place(g[t], c[x]))
		if x >= 2 && tr[x-2] && t+3 < len(g) {
			g[t+3] = min(g[t+3], place(g[t], max(c[x], c[x-1], c[x-2])+1))
		}
	}
	return g
}

// least is the least height of any tree over local ranges a..b.
func (s *shaper) least(a, b int) int {
	return bits.Len64(s.prefixes(a)[b-a+1] - 1)
}

// limited returns the cost and local root of the best tree over local
// ranges a..b of height at most h; root -2 when there is none.
func (s *shaper) limited(a, b, h int) (float32, int) {
	m := s.m
	d := s.off + a*m + b
	if int(s.hany[d]) <= h {
		return s.cost[d], int(s.root[d])
	}
	inf := float32(math.Inf(1))
	if a == b || h <= 0 {
		return inf, -2
	}
	if e := s.memo.find(s.i0+a, s.i0+b, h); e != nil {
		return e.cost, int(e.root)
	}
	n := b - a + 1
	// Which roots fit: both sides must pack into 2^(h-1) slots.
	f, g := s.prefixes(a), s.suffixes(b)
	room := uint64(math.MaxUint64)
	if h-1 < 64 {
		room = uint64(1) << (h - 1)
	}
	ltop := len(s.lbs)
	s.lbs = grow(s.lbs, ltop+n)
	lb := s.lbs[ltop:]
	for t := 1; t < n; t++ {
		k := a + t
		lb[t] = inf
		if f[t] <= room && g[b-k+1] <= room {
			lb[t] = s.cost[s.off+a*m+k-1] + s.cost[s.off+k*m+b]
		}
	}
	best, bestK := inf, -2
	for {
		// The untried root with the least bound, while it can win.
		t, v := 0, best
		for u := 1; u < n; u++ {
			if lb[u] < v {
				t, v = u, lb[u]
			}
		}
		if t == 0 {
			break
		}
		lb[t] = inf
		k := a + t
		l, _ := s.limited(a, k-1, h-1)
		r, _ := s.limited(k, b, h-1)
		if l+r < best {
			best, bestK = l+r, k
		}
	}
	s.lbs = s.lbs[:ltop]
	best += float32(s.pre[s.i0+b+1] - s.pre[s.i0+a])
	s.memo.put(s.i0+a, s.i0+b, h, best, int16(bestK))
	return best, bestK
}

// build turns the tables into the plan for local ranges a..b whose
// longest path is at most h.
func (s *shaper) build(a, b, h int) *plan {
	s.plans = append(s.plans, plan{i: s.i0 + a, k: s.i0 + a})
	p := &s.plans[len(s.plans)-1]
	if a == b {
		return p
	}
	_, k := s.limited(a, b, h)
	if k < 0 {
		p.k = -1
		return p
	}
	p.k = s.i0 + k
	p.lo = s.build(a, k-1, h-1)
	p.hi = s.build(k, b, h-1)
	return p
}

// limMemo remembers solved intervals and heights: open addressing over a
// power-of-two table, emptied by bumping a generation.
type limMemo struct {
	ents []limEntry
	gen  uint32
	used int
}

type limEntry struct {
	key  uint64
	gen  uint32
	cost float32
	root int16
}

func (t *limMemo) reset() {
	if len(t.ents) == 0 {
		t.ents = make([]limEntry, 512)
	}
	t.gen++
	t.used = 0
}

func memoKey(a, b, h int) uint64 { return uint64(a)<<40 | uint64(b)<<16 | uint64(h) }

func (t *limMemo) slot(key uint64) int {
	mask := len(t.ents) - 1
	i := int((key*0x9e3779b97f4a7c15)>>40) & mask
	for t.ents[i].gen == t.gen && t.ents[i].key != key {
		i = (i + 1) & mask
	}
	return i
}

func (t *limMemo) find(a, b, h int) *limEntry {
	e := &t.ents[t.slot(memoKey(a, b, h))]
	if e.gen != t.gen {
		return nil
	}
	return e
}

func (t *limMemo) put(a, b, h int, cost float32, root int16) {
	if 2*(t.used+1) > len(t.ents) {
		old := t.ents
		t.ents = make([]limEntry, 2*len(old))
		for _, e := range old {
			if e.gen == t.gen {
				t.ents[t.slot(e.key)] = e
			}
		}
	}
	key := memoKey(a, b, h)
	e := &t.ents[t.slot(key)]
	if e.gen != t.gen {
		t.used++
	}
	*e = limEntry{key, t.gen, cost, root}
}
