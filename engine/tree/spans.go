package tree

import (
	"sort"

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
	cuts := []uint32{0, arch.X32SyscallBit, ^uint32(0)}
	for _, t := range s.Tables {
		for nr := range t.Syscalls {
			n := uint32(nr)
			cuts = append(cuts, n)
			if n != ^uint32(0) {
				cuts = append(cuts, n+1)
			}
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i] < cuts[j] })

	var out []span
	for i, lo := range cuts {
		if i > 0 && lo == cuts[i-1] {
			continue
		}
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
