package tree

// Choosing the search tree.
//
// Each range carries a weight: how often a call lands in it. The best tree
// minimises the expected number of comparisons, sum(weight * depth), which
// is the classic optimal binary search tree problem over the ranges in
// order. It is solved by dynamic programming with Knuth's bound on the
// root (the best root of i..j lies between those of i..j-1 and i+1..j),
// which makes it O(n²) for n ranges.
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
	for i := 0; i < n; i++ {
		s.root[i*n+i] = int32(i)
	}
	for length := 2; length <= n; length++ {
		for i := 0; i+length-1 < n; i++ {
			j := i + length - 1
			// The root k splits into i..k-1 and k..j ("nr >= lo_k").
			lo := int(s.root[i*n+j-1])
			hi := int(s.root[(i+1)*n+j])
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
