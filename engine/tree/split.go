package tree

import "sort"

// Choosing the search tree.
//
// Each range carries a weight: how often a call lands in it. The best tree
// minimises the expected number of comparisons, sum(weight * depth), which
// is the classic optimal binary search tree problem over the ranges in
// order. It is solved by dynamic programming with Knuth's bound on the
// root (the best root of i..j lies between those of i..j-1 and i+1..j),
// which makes it O(n²) for n ranges.
//
// The dynamic programme needs n² memory and, in the worst case, more than
// n² time, so it runs on blocks of at most exactBlock ranges; above that,
// each interval is split where the weight is balanced (which costs at
// most a comparison or two over the optimum), until the blocks are small.
//
// Ranges that no known syscall falls in still get a small weight, so the
// tree stays reasonably shallow for them too: the kernel runs the filter
// for any number a process passes.

// minWeight is the weight of a range no known syscall falls in, relative
// to 1 for a known syscall of average heat.
const minWeight = 1.0 / 64

// shape is an optimal search tree over spans, as the root index of every
// subinterval.
type shape struct {
	n    int
	root []int32 // root[i*n+j] for the ranges i..j
}

func (s *shape) rootOf(i, j int) int { return int(s.root[i*s.n+j]) }

// optimalShape computes the optimal tree for ranges with weights w. Where
// triple(i) holds, ranges i..i+2 can also be decided by one "jeq" on the
// middle range, which is a single number; the shape records that choice
// as root -1.
func optimalShape(w []float64, triple func(i int) bool) *shape {
	n := len(w)
	s := &shape{n: n, root: make([]int32, n*n)}
	cost := make([]float64, n*n)
	// prefix sums: weight of i..j is pre[j+1]-pre[i]
	pre := make([]float64, n+1)
	for i, x := range w {
		pre[i+1] = pre[i] + x
	}
	// bound holds the best split of each interval even where the jeq
	// shortcut wins, so that Knuth's bound stays valid.
	bound := make([]int32, n*n)
	for i := 0; i < n; i++ {
		s.root[i*n+i] = int32(i)
		bound[i*n+i] = int32(i)
	}
	for length := 2; length <= n; length++ {
		for i := 0; i+length-1 < n; i++ {
			j := i + length - 1
			// The root k splits into i..k-1 and k..j ("nr >= lo_k").
			lo := int(bound[i*n+j-1])
			hi := int(bound[(i+1)*n+j])
			if lo < i+1 {
				lo = i + 1
			}
			if hi < lo {
				hi = lo
			}
			best, bestK := -1.0, lo
			for k := lo; k <= hi && k <= j; k++ {
				c := cost[i*n+k-1] + cost[k*n+j]
				if best < 0 || c < best {
					best, bestK = c, k
				}
			}
			cost[i*n+j] = best + pre[j+1] - pre[i]
			s.root[i*n+j] = int32(bestK)
			bound[i*n+j] = int32(bestK)
			if length == 3 && triple(i) {
				// One jeq decides all three.
				c := pre[j+1] - pre[i]
				if c < cost[i*n+j] {
					cost[i*n+j] = c
					s.root[i*n+j] = -1
				}
			}
		}
	}
	return s
}

// exactBlock is the largest interval shaped by the dynamic programme.
const exactBlock = 24

// plan is a chosen search tree: split at k (the upper part starts with
// range k), or k == -1 for the jeq shortcut over three ranges, or a leaf
// when lo and hi are nil and k == i.
type plan struct {
	i, k   int
	lo, hi *plan
}

// planTree chooses the search tree over ranges with weights w.
func planTree(w []float64, triple func(i int) bool) *plan {
	pre := make([]float64, len(w)+1)
	for i, x := range w {
		pre[i+1] = pre[i] + x
	}
	var build func(i, j int) *plan
	build = func(i, j int) *plan {
		if j-i+1 <= exactBlock {
			s := optimalShape(w[i:j+1], func(x int) bool { return triple(i + x) })
			return fromShape(s, i, 0, j-i)
		}
		// Split where the weight below and above are closest.
		half := (pre[i] + pre[j+1]) / 2
		k := i + 1 + sort.Search(j-i, func(x int) bool { return pre[i+1+x] >= half })
		if k > i+1 && half-pre[k-1] < pre[k]-half {
			k--
		}
		if k > j {
			k = j
		}
		return &plan{i: i, k: k, lo: build(i, k-1), hi: build(k, j)}
	}
	return build(0, len(w)-1)
}

// fromShape turns the block shape s, whose ranges start at off, into a plan
// for its ranges i..j (block-relative).
func fromShape(s *shape, off, i, j int) *plan {
	if i == j {
		return &plan{i: off + i, k: off + i}
	}
	k := s.rootOf(i, j)
	if k < 0 {
		return &plan{i: off + i, k: -1}
	}
	return &plan{i: off + i, k: off + k, lo: fromShape(s, off, i, k-1), hi: fromShape(s, off, k, j)}
}
