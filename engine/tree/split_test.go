package tree

import (
	"math"
	"math/rand"
	"testing"
)

// bruteCost is the least sum(weight*depth) over all search trees on
// w[i..j] whose longest path, depth plus the leaf's cost, is at most h,
// found by trying every root; +Inf when none is that low.
func bruteCost(w []float64, c []int8, triple []bool, i, j, h int) float64 {
	if i == j {
		if int(c[i]) <= h {
			return 0
		}
		return math.Inf(1)
	}
	total := 0.0
	for k := i; k <= j; k++ {
		total += w[k]
	}
	best := math.Inf(1)
	for k := i + 1; k <= j; k++ {
		if v := bruteCost(w, c, triple, i, k-1, h-1) + bruteCost(w, c, triple, k, j, h-1); v < best {
			best = v
		}
	}
	best += total
	if j == i+2 && triple[i] && int(max(c[i], c[i+1], c[i+2]))+1 <= h {
		best = min(best, total)
	}
	return best
}

// planCost evaluates a plan: its sum(weight*depth) and its longest path.
func planCost(p *plan, w []float64, c []int8, depth int) (float64, int) {
	switch {
	case p.k < 0:
		s := 0.0
		for x := p.i; x < p.i+3; x++ {
			s += w[x] * float64(depth+1)
		}
		return s, depth + 1 + int(max(c[p.i], c[p.i+1], c[p.i+2]))
	case p.lo == nil:
		return w[p.i] * float64(depth), depth + int(c[p.i])
	}
	a, ha := planCost(p.lo, w, c, depth+1)
	b, hb := planCost(p.hi, w, c, depth+1)
	return a + b, max(ha, hb)
}

// TestPlanTree checks the height-limited dynamic programme against
// exhaustive search: the tree it picks is as cheap as any of its height,
// its height is the least one whose best cost is within slack of the
// best of all, and that is no lower than the least possible.
func TestPlanTree(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	var s shaper
	worst := 1.0
	defer func() { t.Logf("worst cost over the optimum at the same height: %.4f", worst) }()
	for iter := 0; iter < 2000; iter++ {
		n := 1 + rng.Intn(9)
		w := make([]float64, n)
		c := make([]int8, n)
		triple := make([]bool, n)
		for i := range w {
			w[i] = float64(rng.Intn(50)) + minWeight
			c[i] = 1
			if rng.Intn(4) == 0 {
				c[i] = int8(2 + rng.Intn(4))
			}
			triple[i] = i+2 < n && rng.Intn(3) == 0
		}
		p := s.planTree(w, c, triple)
		got, h := planCost(p, w, c, 0)
		hmin := 0
		for math.IsInf(bruteCost(w, c, triple, 0, n-1, hmin), 1) {
			hmin++
		}
		best := bruteCost(w, c, triple, 0, n-1, 4*n)
		want := bruteCost(w, c, triple, 0, n-1, h)
		if want > 0 {
			worst = max(worst, got/want)
		}
		if got > want*(1+1.0/64)+1e-9 {
			t.Fatalf("w %v c %v triple %v: cost %v at height %d, optimum there %v", w, c, triple, got, h, want)
		}
		if h < hmin {
			t.Fatalf("w %v c %v: height %d below %d", w, c, h, hmin)
		}
		if h > hmin && bruteCost(w, c, triple, 0, n-1, h-1) <= best*(1+slack) {
			t.Fatalf("w %v c %v: height %d, but %d is within slack", w, c, h, h-1)
		}
	}
}

// TestLimited checks the branch and bound against exhaustive search at
// every height from the least to that of the best tree of any height.
func TestLimited(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var s shaper
	worst := 1.0
	defer func() { t.Logf("worst cost over the optimum at the same height: %.4f", worst) }()
	for iter := 0; iter < 1500; iter++ {
		n := 1 + rng.Intn(10)
		w := make([]float64, n)
		c := make([]int8, n)
		triple := make([]bool, n)
		for i := range w {
			w[i] = float64(rng.Intn(50)) + minWeight
			if rng.Intn(3) == 0 {
				w[i] = minWeight
			}
			c[i] = 1
			if rng.Intn(4) == 0 {
				c[i] = int8(2 + rng.Intn(5))
			}
			triple[i] = i+2 < n && rng.Intn(3) == 0
		}
		s.planTree(w, c, triple) // fills the tables
		s.memo.reset()
		least := s.least(0, n-1)
		if b := bruteCost(w, c, triple, 0, n-1, least); math.IsInf(b, 1) || least > 0 && !math.IsInf(bruteCost(w, c, triple, 0, n-1, least-1), 1) {
			t.Fatalf("w %v c %v triple %v: least height %d wrong", w, c, triple, least)
		}
		for h := least; h <= int(s.hany[n-1]); h++ {
			got, _ := s.limited(0, n-1, h)
			want := bruteCost(w, c, triple, 0, n-1, h)
			if want > 0 {
				worst = max(worst, float64(got)/want)
			}
			if float64(got) > want*(1+1.0/64)+1e-6 || float64(got) < want*(1-1e-5)-1e-6 {
				t.Fatalf("w %v c %v triple %v: height %d cost %v, optimum %v", w, c, triple, h, got, want)
			}
		}
	}
}

// TestTripleShortcut checks that "X, {k}, X" is decided with one jeq.
func TestTripleShortcut(t *testing.T) {
	var s shaper
	p := s.planTree([]float64{10, 1, 10}, []int8{1, 1, 1}, []bool{true, false, false})
	if p.k != -1 {
		t.Errorf("root %d, want the jeq shortcut", p.k)
	}
}

// BenchmarkPlanTree shapes 66 ranges, as many as Docker's profile has,
// two of them with argument code of their own.
func BenchmarkPlanTree(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	n := 66
	w := make([]float64, n)
	c := make([]int8, n)
	triple := make([]bool, n)
	for i := range w {
		w[i] = rng.Float64()*20 + minWeight
		c[i] = 1
		triple[i] = i+2 < n && rng.Intn(3) == 0
	}
	c[10], c[30] = 11, 7
	var s shaper
	for b.Loop() {
		s.planTree(w, c, triple)
	}
}

// TestPlanTreeBlocks checks plans over more ranges than one block: every
// range is a leaf once, in order, the jeq shortcut only where allowed,
// and choosing the least height gives no taller a tree.
func TestPlanTreeBlocks(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	var s shaper
	for iter := 0; iter < 200; iter++ {
		n := exactBlock + 1 + rng.Intn(4*exactBlock)
		w := make([]float64, n)
		c := make([]int8, n)
		triple := make([]bool, n)
		for i := range w {
			w[i] = minWeight
			if rng.Intn(3) > 0 {
				w[i] += float64(rng.Intn(50))
			}
			c[i] = 1
			if rng.Intn(10) == 0 {
				c[i] = int8(2 + rng.Intn(8))
			}
			triple[i] = i+2 < n && rng.Intn(3) == 0
		}
		var walk func(p *plan, next int) int
		walk = func(p *plan, next int) int {
			switch {
			case p.k < 0:
				if p.i != next || !triple[p.i] {
					t.Fatalf("n %d: shortcut at %d, next %d", n, p.i, next)
				}
				return next + 3
			case p.lo == nil:
				if p.i != next {
					t.Fatalf("n %d: leaf %d, want %d", n, p.i, next)
				}
				return next + 1
			}
			next = walk(p.lo, next)
			if p.k != next {
				t.Fatalf("n %d: split at %d, upper part starts at %d", n, p.k, next)
			}
			return walk(p.hi, next)
		}
		p := s.planTree(w, c, triple)
		if end := walk(p, 0); end != n {
			t.Fatalf("n %d: plan ends at %d", n, end)
		}
		_, h := planCost(p, w, c, 0)
		s.lowest = true
		p = s.planTree(w, c, triple)
		s.lowest = false
		if end := walk(p, 0); end != n {
			t.Fatalf("n %d: lowest plan ends at %d", n, end)
		}
		if _, hl := planCost(p, w, c, 0); hl > h {
			t.Fatalf("n %d: least height %d above the chosen %d", n, hl, h)
		}
	}
}
