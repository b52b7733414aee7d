package tree

import (
	"github.com/seccomptree/seccomptree/engine/policy"
)

// rules emits a syscall's argument rules as a decision list: each rule's
// comparisons in turn, the rule's action when all hold, the next rule when
// one fails, and the default action after the last.
func (g *gen) rules(rs []policy.Rule) node {
	if len(rs) == 0 {
		return g.b.ret(uint32(g.def))
	}
	fail := g.rules(rs[1:])
	n := g.b.ret(uint32(rs[0].Action))
	conds := rs[0].Conds
	for i := len(conds) - 1; i >= 0; i-- {
		n = g.cond(conds[i], n, fail)
	}
	return n
}

// words returns the offsets of the high and low 32-bit halves of
// argument i in seccomp_data for the section's byte order.
func (g *gen) words(i uint) (hi, lo uint32) {
	base := uint32(offArgs + 8*i)
	if g.arch.BigEndian {
		return base, base + 4
	}
	return base + 4, base
}

// cond emits one comparison, jumping to pass or fail. A 64-bit comparison
// is two 32-bit ones; ABIs with 32-bit registers compare the low word only
// (the kernel zero-fills the high word there, and libseccomp truncates the
// rule's values to 32 bits).
//
// Orderings test the high words first and look at the low words only when
// the high words are equal:
//
//	GT:  ld hi; jgt #Dh, pass, eq;  eq: jeq #Dh, lo, fail;  lo: ld lo; jgt #Dl, pass, fail
//
// GE is the same with jge on the low word; LT and LE are GE and GT with
// pass and fail exchanged, NE is EQ exchanged.
func (g *gen) cond(c policy.Cond, pass, fail node) node {
	wide := g.arch.Bits == 64
	hiOff, loOff := g.words(c.Arg)
	mh, ml := uint32(c.Mask>>32), uint32(c.Mask)
	dh, dl := uint32(c.Datum>>32), uint32(c.Datum)
	switch c.Op {
	case policy.OpEQ, policy.OpMaskedEQ:
		n := g.eq(loOff, ml, dl, pass, fail)
		if wide {
			n = g.eq(hiOff, mh, dh, n, fail)
		}
		return n
	case policy.OpNE:
		return g.cond(policy.Cond{Arg: c.Arg, Op: policy.OpEQ, Mask: c.Mask, Datum: c.Datum}, fail, pass)
	case policy.OpGT, policy.OpGE:
		op := uint16(opJgt)
		if c.Op == policy.OpGE {
			op = opJge
		}
		n := g.b.load(loOff, g.b.jump(op, dl, pass, fail))
		if wide {
			eq := g.b.jump(opJeq, dh, n, fail)
			n = g.b.load(hiOff, g.b.jump(opJgt, dh, pass, eq))
		}
		return n
	case policy.OpLT:
		return g.cond(policy.Cond{Arg: c.Arg, Op: policy.OpGE, Mask: c.Mask, Datum: c.Datum}, fail, pass)
	case policy.OpLE:
		return g.cond(policy.Cond{Arg: c.Arg, Op: policy.OpGT, Mask: c.Mask, Datum: c.Datum}, fail, pass)
	}
	// Unknown comparisons never get here (policy rejects them); fail
	// closed if one does.
	return fail
}

// eq emits "(word & mask) == datum" for one 32-bit word. A zero mask makes
// the test constant, and an all-ones mask needs no AND.
func (g *gen) eq(off, mask, datum uint32, pass, fail node) node {
	if mask == 0 {
		if datum == 0 {
			return pass
		}
		return fail
	}
	n := g.b.jump(opJeq, datum, pass, fail)
	if mask != ^uint32(0) {
		n = g.b.stmt(opAnd, mask, n)
	}
	return g.b.load(off, n)
}
