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
// each bit of a partial mask flipped) with
// the high word 0, and every such high word with the low words 0 and all
// ones. Pairing every high word with every low word would check more but
// grows with the square of the rules; this stays linear.
//
// The vectors are never stored: each is made when it is tried, and the
// word lists are reused from one syscall to the next, so a check does not
// allocate per sample or per syscall.
type sampler struct {
	sc    *policy.Syscall // whose words are loaded
	words [policy.MaxArgs][2][]uint32
	used  [policy.MaxArgs][2]bool
	// heads holds the first node of every level visited; a DAG reaches
	// some levels from several places.
	heads []*policy.Node
	seen  map[*policy.Node]bool // heads, once there are many
	n     int                   // vectors in all, before the budget
}

// manyLevels is where looking a level up in heads gets slower than a map.
const manyLevels = 32

// load collects the words of sc's rules.
func (s *sampler) load(sc *policy.Syscall) {
	if s.sc == sc {
		return
	}
	s.sc = sc
	for a := range s.words {
		for h := range s.words[a] {
			s.words[a][h] = s.words[a][h][:0]
			s.used[a][h] = false
		}
	}
	s.heads = s.heads[:0]
	clear(s.seen)
	s.visit(sc.Rules)
	s.n = 0
	for a := range s.words {
		for h := range s.words[a] {
			ws := s.words[a][h]
			slices.Sort(ws)
			ws = slices.Compact(ws)
			s.words[a][h] = ws
			s.n += len(ws) << h // a high word makes two vectors
		}
	}
}

func (s *sampler) visit(n *policy.Node) {
	if n == nil {
		return
	}
	level := n.Level()
	if s.visited(level[0]) {
		return
	}
	for _, m := range level {
		h := 0
		if m.High {
			h = 1
		}
		ws := s.words[m.Arg][h]
		if !s.used[m.Arg][h] {
			s.used[m.Arg][h] = true
			ws = append(ws, 0, ^uint32(0))
		}
		ws = append(ws, m.Datum-1, m.Datum, m.Datum+1, m.Datum|^m.Mask)
		if m.Mask != ^uint32(0) {
			// A partial mask is a set of bits that must each be
			// tested: the datum with one of them flipped only matches
			// if that bit is left out.
			for b := m.Mask; b != 0; b &= b - 1 {
				ws = append(ws, m.Datum^(b&-b))
			}
		}
		s.words[m.Arg][h] = ws
		s.visit(m.True.Next)
		s.visit(m.False.Next)
	}
}

// visited reports whether the level starting at head was seen, and marks
// it seen.
func (s *sampler) visited(head *policy.Node) bool {
	if s.seen != nil && len(s.seen) > 0 {
		if s.seen[head] {
			return true
		}
		s.seen[head] = true
		return false
	}
	if slices.Contains(s.heads, head) {
		return true
	}
	s.heads = append(s.heads, head)
	if len(s.heads) > manyLevels {
		if s.seen == nil {
			s.seen = map[*policy.Node]bool{}
		}
		for _, h := range s.heads {
			s.seen[h] = true
		}
	}
	return false
}

// each calls try with the loaded vectors, at most ArgSampleBudget of them
// evenly spread over the list (first and last included), in order: per
// argument, the low words ascending, then the high words ascending, each
// with the low word 0 and then all ones. It stops at the first error.
func (s *sampler) each(try func(*[policy.MaxArgs]uint64) error) error {
	budget := ArgSampleBudget
	all := budget <= 0 || s.n <= budget
	idx, taken, next := 0, 0, 0
	var args [policy.MaxArgs]uint64
	offer := func(a int, v uint64) error {
		if !all && idx != next {
			idx++
			return nil
		}
		idx++
		taken++
		switch {
		case all:
		case budget == 1:
			next = s.n // the first vector only
		default:
			next = taken * (s.n - 1) / (budget - 1)
		}
		args[a] = v
		err := try(&args)
		args[a] = 0
		return err
	}
	for a := range s.words {
		for _, lo := range s.words[a][0] {
			if err := offer(a, uint64(lo)); err != nil {
				return err
			}
		}
		for _, hi := range s.words[a][1] {
			if err := offer(a, uint64(hi)<<32); err != nil {
				return err
			}
			if err := offer(a, uint64(hi)<<32|0xffffffff); err != nil {
				return err
			}
		}
	}
	return nil
}
