package tree

import (
	"math/bits"
	"slices"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
)

// outcome is what a range of syscall numbers leads to: a fixed action, or
// for syscalls with argument rules, that syscall's checks. Two numbers
// share an outcome only if they are decided identically, which is what
// lets neighbours merge into one range.
type outcome struct {
	act policy.Action
	sc  *policy.Syscall // non-nil: decided by sc's argument rules
}

// span is the numbers lo..hi (inclusive) with one outcome.
type span struct {
	lo, hi uint32
	out    outcome
}

// spans cuts the 32-bit number space into the fewest ranges such that
// every number in a range has the same outcome in section s, in order.
//
// The outcome can only change at a number that has rules, just after it,
// or at the x32 boundary, so deciding those points with the policy's own
// lookup (the same one Evaluate uses) decides every number.
func spans(f *policy.Filter, s policy.Section) []span {
	var out []span
	for _, lo := range cutPoints(s) {
		o := decide(f, s, lo)
		if n := len(out); n > 0 && out[n-1].out == o {
			continue // extends the previous range
		}
		if n := len(out); n > 0 {
			out[n-1].hi = lo - 1
		}
		out = append(out, span{lo: lo, hi: ^uint32(0), out: o})
	}
	return out
}

// smallNrs bounds the numbers cutPoints orders with a bitmap; syscall
// numbers of every ABI but x32 and MIPS fall below it.
const smallNrs = 1 << 13

// cutPoints returns, in order and without repeats, every number at which
// the outcome in s may change. Sorting is the bulk of the work for large
// policies, so small numbers go through a bitmap and only the rest are
// sorted.
func cutPoints(s policy.Section) []uint32 {
	var small [smallNrs / 64]uint64
	large := []uint32{arch.X32SyscallBit, ^uint32(0)}
	add := func(n uint32) {
		if n < smallNrs {
			small[n/64] |= 1 << (n % 64)
		} else {
			large = append(large, n)
		}
	}
	add(0)
	count := 0
	for _, t := range s.Tables {
		for nr := range t.Syscalls {
			n := uint32(nr)
			add(n)
			if n != ^uint32(0) {
				add(n + 1)
			}
			count += 2
		}
	}
	out := make([]uint32, 0, count+3)
	for i, w := range small {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, uint32(i*64+b))
			w &= w - 1
		}
	}
	slices.Sort(large)
	return append(out, slices.Compact(large)...)
}

// decide is the outcome of kernel number nr in section s.
func decide(f *policy.Filter, s policy.Section, nr uint32) outcome {
	if s.Foreign(nr) {
		return outcome{act: f.Attrs.BadArch}
	}
	sc := f.Lookup(s, nr)
	if sc == nil {
		return outcome{act: f.Attrs.Default}
	}
	if act, ok := sc.Unconditional(); ok {
		return outcome{act: act}
	}
	return outcome{sc: sc}
}
