package tree

import (
	"golang.org/x/net/bpf"
)

// Jump threading over the finished program.
//
// The builder emits each argument level as if nothing were known on
// entry, so a path often reloads the word the accumulator already holds,
// or tests a high word whose value an earlier test on the same path has
// pinned down (a 64-bit "a0 < 3" after "a0.hi == 0" failed, say). Such
// code is only visible once the whole program exists and every path into
// an instruction is known, so it is removed afterwards: a forward pass
// carries, per instruction, what every path into it knows (which word A
// holds, and a range for each seccomp_data word), and redirects each jump
// past whatever is decided or redundant at its target. Code that no
// longer has a way in is dropped. Offsets only shrink, so every jump
// stays within reach.

// dataWords is the number of 32-bit words of struct seccomp_data.
const dataWords = 16

// factSlots is how many words a program's facts keep ranges for: the
// first ones it loads (nr, arch and a few argument words in practice).
const factSlots = 8

// facts is what every path into an instruction knows.
type facts struct {
	acc
	lo [factSlots]uint32
	hi [factSlots]uint32
}

// acc is what a path knows of A.
type acc struct {
	a    int8   // word index A holds, masked with mask; -1: unknown
	slot int8   // where the range of word a is kept; -1: nowhere
	mask uint32 // meaningful when a >= 0
}

// meet merges g into f; slots past used were never narrowed, so they
// are equal in both.
func (f *facts) meet(g *facts, used int) {
	if f.a != g.a || f.mask != g.mask {
		f.a, f.slot = -1, -1
	}
	for i := range used {
		f.lo[i] = min(f.lo[i], g.lo[i])
		f.hi[i] = max(f.hi[i], g.hi[i])
	}
}

// raw is the slot of the word A holds unmasked, or -1.
func (c *acc) raw() int {
	if c.slot >= 0 && c.mask == ^uint32(0) {
		return int(c.slot)
	}
	return -1
}

// load records that A now holds word k/4 of seccomp_data.
func (t *threader) load(c *acc, k uint32) {
	c.a, c.slot, c.mask = int8(k/4), t.slot[k/4], ^uint32(0)
}

// decide reports whether the jump in is known to be taken (taken) on
// every path where A is as c says and the words' ranges are f's; known
// is false when either way is possible.
func (f *facts) decide(c acc, in bpf.RawInstruction) (taken, known bool) {
	w := c.raw()
	if w < 0 {
		return false, false
	}
	lo, hi, k := f.lo[w], f.hi[w], in.K
	switch in.Op {
	case opJeq:
		if lo == k && hi == k {
			return true, true
		}
		if k < lo || k > hi {
			return false, true
		}
	case opJgt:
		if lo > k {
			return true, true
		}
		if hi <= k {
			return false, true
		}
	case opJge:
		if lo >= k {
			return true, true
		}
		if hi < k {
			return false, true
		}
	}
	return false, false
}

// narrow records the outcome taken of the jump in.
func (f *facts) narrow(in bpf.RawInstruction, taken bool) {
	w := f.raw()
	if w < 0 {
		return
	}
	lo, hi, k := &f.lo[w], &f.hi[w], in.K
	switch {
	case in.Op == opJeq && taken:
		*lo, *hi = k, k
	case in.Op == opJeq:
		if *lo == k && k != ^uint32(0) {
			*lo = k + 1
		}
		if *hi == k && k != 0 {
			*hi = k - 1
		}
	case in.Op == opJgt && taken:
		*lo = max(*lo, k+1)
	case in.Op == opJgt:
		*hi = min(*hi, k)
	case in.Op == opJge && taken:
		*lo = max(*lo, k)
	case in.Op == opJge:
		*hi = min(*hi, k-1)
	}
}

// isLoad reports whether in loads an aligned seccomp_data word.
func isLoad(in bpf.RawInstruction) bool {
	return in.Op == opLdAbs && in.K%4 == 0 && in.K < 4*dataWords
}

func isCondJump(op uint16) bool {
	return op == opJeq || op == opJgt || op == opJge || op == opJset
}

// threader holds the pass's working state, reused across programs.
type threader struct {
	slot    [dataWords]int8
	used    int // slots given out
	in      []facts
	reached []bool
	index   []int32
}

// thread removes decided tests, redundant loads and dead code from prog,
// in place, and returns the shorter program. A test whose two ways end
// up at the same place is only seen as such after the jumps into it were
// threaded, so those take another pass.
func (t *threader) thread(prog []bpf.RawInstruction) []bpf.RawInstruction {
	for range 4 {
		var again bool
		prog, again = t.pass(prog)
		if !again {
			break
		}
	}
	return prog
}

func (t *threader) pass(prog []bpf.RawInstruction) ([]bpf.RawInstruction, bool) {
	n := len(prog)
	t.in = grow(t.in, n)
	t.reached = grow(t.reached, n)
	t.index = grow(t.index, n)
	clear(t.reached)
	t.used = 0
	for i := range t.slot {
		t.slot[i] = -1
	}
	for _, in := range prog {
		if isLoad(in) && t.slot[in.K/4] < 0 && t.used < factSlots {
			t.slot[in.K/4] = int8(t.used)
			t.used++
		}
	}
	var entry facts
	entry.a, entry.slot = -1, -1
	for i := range entry.hi {
		entry.hi[i] = ^uint32(0)
	}
	t.reach(0, &entry)
	again := false
	for pc := 0; pc < n; pc++ {
		if !t.reached[pc] {
			continue
		}
		// Jumps go forward, so nothing reads the facts at pc once it
		// is done: they are narrowed in place for the successors.
		f := &t.in[pc]
		in := &prog[pc]
		switch {
		case isLoad(*in):
			t.load(&f.acc, in.K)
			t.reach(pc+1, f)
		case in.Op == opAnd:
			if f.a >= 0 {
				f.mask &= in.K
			}
			t.reach(pc+1, f)
		case in.Op == opJa:
			to := t.skip(prog, pc, pc+1+int(in.K), f, false)
			in.K = uint32(to - pc - 1)
			t.reach(to, f)
		case isCondJump(in.Op):
			tf := *f
			tf.narrow(*in, true)
			f.narrow(*in, false)
			jt := t.skip(prog, pc, pc+1+int(in.Jt), &tf, true)
			jf := t.skip(prog, pc, pc+1+int(in.Jf), f, true)
			in.Jt, in.Jf = uint8(jt-pc-1), uint8(jf-pc-1)
			t.reach(jt, &tf)
			t.reach(jf, f)
			if jt == jf {
				// Jumps into it will skip it next pass; what falls
				// into it goes straight on.
				again = true
				if jt == pc+1 {
					t.reached[pc] = false
				} else {
					*in = bpf.RawInstruction{Op: opJa, K: uint32(jt - pc - 1)}
				}
			}
		case in.Op&0x07 == 0x06: // ret
		default:
			// Not generated here; keep its successors as they are.
			f.a, f.slot = -1, -1
			if in.Op&0x07 == 0x05 {
				t.reach(pc+1+int(in.K), f)
				t.reach(pc+1+int(in.Jt), f)
				t.reach(pc+1+int(in.Jf), f)
			} else {
				t.reach(pc+1, f)
			}
		}
	}
	// Compact: drop what no path reaches, and recompute offsets.
	m := 0
	for pc := 0; pc < n; pc++ {
		t.index[pc] = int32(m)
		if t.reached[pc] {
			m++
		}
	}
	if m == n {
		return prog, again
	}
	out := prog[:0]
	for pc := 0; pc < n; pc++ {
		if !t.reached[pc] {
			continue
		}
		in := prog[pc]
		at := int(t.index[pc])
		switch {
		case in.Op == opJa:
			in.K = uint32(int(t.index[pc+1+int(in.K)]) - at - 1)
		case in.Op&0x07 == 0x05:
			in.Jt = uint8(int(t.index[pc+1+int(in.Jt)]) - at - 1)
			in.Jf = uint8(int(t.index[pc+1+int(in.Jf)]) - at - 1)
		}
		out = append(out, in)
	}
	return out, again
}

// reach merges f into the facts of pc, a later instruction.
func (t *threader) reach(pc int, f *facts) {
	if pc >= len(t.reached) {
		return
	}
	if !t.reached[pc] {
		t.reached[pc] = true
		t.in[pc] = *f
		return
	}
	t.in[pc].meet(f, t.used)
}

// skip follows the edge from pc to to while the code there is decided or
// redundant given f, and returns the furthest instruction the edge can
// go to instead: one that starts with a load (which makes whatever A held
// irrelevant) or that is reached with A as the edge leaves it. cond says
// the edge belongs to a conditional jump, whose reach is limited.
func (t *threader) skip(prog []bpf.RawInstruction, pc, to int, f *facts, cond bool) int {
	best := to
	cur := f.acc
	for pos := to; pos < len(prog); {
		in := prog[pos]
		switch {
		case isLoad(in):
			t.load(&cur, in.K)
			pos++
		case in.Op == opAnd && cur.a >= 0:
			cur.mask &= in.K
			pos++
		case in.Op == opJa:
			pos += 1 + int(in.K)
		case isCondJump(in.Op):
			taken, known := f.decide(cur, in)
			if in.Jt == in.Jf {
				taken, known = true, true
			}
			if !known {
				return best
			}
			if taken {
				pos += 1 + int(in.Jt)
			} else {
				pos += 1 + int(in.Jf)
			}
		default:
			return best
		}
		if cond && pos-pc-1 > maxJump {
			return best
		}
		if pos < len(prog) && (isLoad(prog[pos]) || cur.a == f.a && cur.mask == f.mask) {
			best = pos
		}
	}
	return best
}

// grow returns s resized to n, reusing its array when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// longest is the most instructions any path through prog runs.
func (t *threader) longest(prog []bpf.RawInstruction) int {
	t.index = grow(t.index, len(prog))
	far := t.index
	for pc := len(prog) - 1; pc >= 0; pc-- {
		in := prog[pc]
		var d int32
		switch {
		case in.Op&0x07 == 0x06:
		case in.Op == opJa:
			d = far[pc+1+int(in.K)]
		case in.Op&0x07 == 0x05:
			d = max(far[pc+1+int(in.Jt)], far[pc+1+int(in.Jf)])
		default:
			d = far[pc+1]
		}
		far[pc] = d + 1
	}
	return int(far[0])
}
