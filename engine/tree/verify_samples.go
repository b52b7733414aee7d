package tree

import (
	"slices"

	"github.com/seccomptree/seccomptree/engine/policy"
)

// ArgSampleBudget bounds the argument vectors the self-check tries per
// syscall; 0 means no bound. A syscall with hundreds of argument rules is
// a long chain, so trying all of its samples costs the square of its
// rules; past the budget an evenly spread subset is tried. Set it once,
// before generating.
var ArgSampleBudget = 96

// sampler lists argument vectors around the data of a syscall's rules, one
// argument at a time, the others zero: every low word a comparison looks
// at (datum, ±1, the datum with the bits outside the mask set, and with
// each bit of a partial mask flipped) with the high word 0, and every such
// high word with the low words 0 and all ones. Pairing every high word
// with every low word would check more but grows with the square of the
// rules; this stays linear.
//
// Its slices are reused from one syscall to the next and, through a pool,
// from one check to the next, so a check allocates next to nothing.
type sampler struct {
	sc    *policy.Syscall // whose words are loaded
	words [policy.MaxArgs][2][]uint32
	// data holds the data of the tests on each word, whose neighbours
	// load adds to words: sorting n data costs far less than sorting
	// the 3n words around them.
	data  [policy.MaxArgs][2][]uint32
	spare []uint32 // load's buffer for around
	used  [policy.MaxArgs][2]bool
	vecs  []sampleVec // every vector, before the budget (see list)
	d     decider     // sc's rules, to decide the vectors
}

// sampleVec is an argument vector with one argument not zero.
type sampleVec struct {
	arg int
	v   uint64
}

// load collects the words of sc's rules and prepares to decide them, with
// def as the filter's default action.
func (s *sampler) load(sc *policy.Syscall, def policy.Action) {
	if s.sc == sc && s.d.def == def {
		return
	}
	s.sc = sc
	for a := range s.words {
		for h := range s.words[a] {
			s.words[a][h] = s.words[a][h][:0]
			s.data[a][h] = s.data[a][h][:0]
			s.used[a][h] = false
		}
	}
	s.d.reset(def)
	if sc.Rules != nil {
		s.d.level(sc.Rules, s.collect)
	}
	for a := range s.words {
		for h := range s.words[a] {
			ex := sortCompact(s.words[a][h])
			if len(s.data[a][h]) == 0 {
				s.words[a][h] = ex
				continue
			}
			// Copied back rather than swapped: swapping would hand
			// each slice's buffer to a word that needs another size.
			s.spare = around(sortCompact(s.data[a][h]), ex, s.spare[:0])
			s.words[a][h] = append(ex[:0], s.spare...)
		}
	}
	s.vecs = s.vecs[:0]
	s.list(func(a int, v uint64) bool {
		s.vecs = append(s.vecs, sampleVec{a, v})
		return true
	})
}

// release lets go of the filter, before s goes back to the pool.
func (s *sampler) release() {
	s.sc = nil
	clear(s.d.heads)
	s.d.heads = s.d.heads[:0]
}

// collect adds the words around m's test.
func (s *sampler) collect(m *policy.Node) {
	h := 0
	if m.High {
		h = 1
	}
	ws := s.words[m.Arg][h]
	if !s.used[m.Arg][h] {
		s.used[m.Arg][h] = true
		ws = append(ws, 0, ^uint32(0))
	}
	// The datum goes apart: load adds it with its neighbours (around).
	s.data[m.Arg][h] = append(s.data[m.Arg][h], m.Datum)
	if m.Mask != ^uint32(0) {
		// Under a full mask this word is the datum again: leaving it
		// out spares sortCompact a quarter of its input.
		ws = append(ws, m.Datum|^m.Mask)
		// A partial mask is a set of bits that must each be tested:
		// the datum with one of them flipped only matches if that bit
		// is left out.
		for b := m.Mask; b != 0; b &= b - 1 {
			ws = append(ws, m.Datum^(b&-b))
		}
	}
	s.words[m.Arg][h] = ws
}

// decide is the loaded syscall's decision for args, which must be the
// vector each last passed to try, as words.
func (s *sampler) decide(words *[2 * policy.MaxArgs]uint32) policy.Action {
	if s.sc.Rules == nil {
		return s.sc.Decide([policy.MaxArgs]uint64{}, s.d.def)
	}
	return s.d.decide(words)
}

// list calls emit with every loaded vector, as the argument that is not
// zero and its value, in order: the zero vector, then per argument the
// low words ascending, then the high words ascending, each with the low
// word 0 and then all ones. Vectors that come up more than once (the zero
// vector from every argument, a high word 0 with all ones, which is the
// low word all ones) are listed once. It stops when emit returns false.
func (s *sampler) list(emit func(a int, v uint64) bool) {
	if !emit(0, 0) {
		return
	}
	for a := range s.words {
		for _, lo := range s.words[a][0] {
			if lo != 0 && !emit(a, uint64(lo)) {
				return
			}
		}
		for _, hi := range s.words[a][1] {
			if hi == 0 {
				if !s.used[a][0] && !emit(a, 0xffffffff) {
					return
				}
				continue
			}
			if !emit(a, uint64(hi)<<32) || !emit(a, uint64(hi)<<32|0xffffffff) {
				return
			}
		}
	}
}

// each calls try with the loaded vectors (see list), at most
// ArgSampleBudget of them evenly spread over the list, first and last
// included. It stops at the first error.
//
// try gets the vector as args and as 32-bit halves in words (see
// decider.decide), and which argument is not zero.
func (s *sampler) each(try func(arg int, args *[policy.MaxArgs]uint64, words *[2 * policy.MaxArgs]uint32) error) error {
	var (
		args  [policy.MaxArgs]uint64
		words [2 * policy.MaxArgs]uint32
	)
	m := s.tries()
	for j := range m {
		a, v := s.at(j, m)
		args[a], words[2*a], words[2*a+1] = v, uint32(v), uint32(v>>32)
		err := try(a, &args, &words)
		args[a], words[2*a], words[2*a+1] = 0, 0, 0
		if err != nil {
			return err
		}
	}
	return nil
}

// tries is how many of the loaded vectors each tries.
func (s *sampler) tries() int {
	n, m := len(s.vecs), ArgSampleBudget
	if m <= 0 || m > n {
		m = n
	}
	return m
}

// at is the jth of the m vectors each tries: the argument that is not
// zero, and its value.
func (s *sampler) at(j, m int) (int, uint64) {
	i, n := j, len(s.vecs)
	if m < n {
		i = 0
		if m > 1 {
			i = j * (n - 1) / (m - 1)
		}
	}
	return s.vecs[i].arg, s.vecs[i].v
}

// around returns, sorted and without repeats, the words of ex and each
// datum of ds with its neighbours (d-1, d, d+1), appended to out; ds and
// ex must be sorted without repeats, and when ds has any, ex must hold 0
// and all ones (collect adds them), which are where a neighbour wraps
// around and so are left to ex. The data's neighbours come in order but
// for those a datum shares with the one before it, which are dropped.
func around(ds, ex, out []uint32) []uint32 {
	i := 0
	for _, d := range ds {
		nb, from, to := [3]uint32{d - 1, d, d + 1}, 0, 3
		if d == 0 {
			from = 1
		}
		if d == ^uint32(0) {
			to = 2
		}
		for _, x := range nb[from:to] {
			// x goes in unless it is not above the last word: only a
			// repeat can be, as every word of ex up to x goes first.
			for ; i < len(ex) && ex[i] <= x; i++ {
				if n := len(out); n == 0 || ex[i] > out[n-1] {
					out = append(out, ex[i])
				}
			}
			if n := len(out); n == 0 || x > out[n-1] {
				out = append(out, x)
			}
		}
	}
	for ; i < len(ex); i++ {
		if n := len(out); n == 0 || ex[i] > out[n-1] {
			out = append(out, ex[i])
		}
	}
	return out
}

func sortCompact(ws []uint32) []uint32 {
	slices.Sort(ws)
	return slices.Compact(ws)
}
