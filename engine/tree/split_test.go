package tree

import (
	"math"
	"math/rand"
	"testing"
)

// bruteCost is the least sum(weight*depth) over all search trees on
// w[i..j], found by trying every root.
func bruteCost(w []float64, i, j int) float64 {
	if i == j {
		return 0
	}
	total := 0.0
	for k := i; k <= j; k++ {
		total += w[k]
	}
	best := math.Inf(1)
	for k := i + 1; k <= j; k++ {
		if c := bruteCost(w, i, k-1) + bruteCost(w, k, j); c < best {
			best = c
		}
	}
	return best + total
}

// shapeCost evaluates the tree the shape describes.
func shapeCost(s *shape, w []float64, i, j, depth int) float64 {
	if i == j {
		return w[i] * float64(depth)
	}
	k := s.rootOf(i, j)
	return shapeCost(s, w, i, k-1, depth+1) + shapeCost(s, w, k, j, depth+1)
}

// TestOptimalShape checks the O(n²) dynamic programme, with Knuth's bound
// on the root, against exhaustive search.
func TestOptimalShape(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	never := func(int) bool { return false }
	for iter := 0; iter < 300; iter++ {
		n := 1 + rng.Intn(9)
		w := make([]float64, n)
		for i := range w {
			w[i] = float64(rng.Intn(50)) + minWeight
		}
		s := optimalShape(w, never)
		got, want := shapeCost(s, w, 0, n-1, 0), bruteCost(w, 0, n-1)
		if math.Abs(got-want) > 1e-9 {
			t.Fatalf("weights %v: cost %v, optimum %v", w, got, want)
		}
	}
}

// TestTripleShortcut checks that "X, {k}, X" is decided with one jeq.
func TestTripleShortcut(t *testing.T) {
	s := optimalShape([]float64{10, 1, 10}, func(i int) bool { return i == 0 })
	if s.rootOf(0, 2) != -1 {
		t.Errorf("root %d, want the jeq shortcut", s.rootOf(0, 2))
	}
}
