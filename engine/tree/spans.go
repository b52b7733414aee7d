package tree

import (
	"cmp"
	mbits "math/bits"
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
// or where the section's ABIs end (see Section.Foreign), so a walk over
// the syscalls in order, with the gaps between them, decides every
// number. Which entry decides a number follows Filter.Lookup.
func spans(f *policy.Filter, s policy.Section) []span {
	out, _ := spansHinted(f, s, nil, nil)
	return out
}

// spansHinted is spans that also appends to hints the caller's priority
// of every syscall that has one, in the same walk over the tables. The
// ranges are appended to out[:0], so that a caller who keeps none of them
// can reuse its memory.
func spansHinted(f *policy.Filter, s policy.Section, hints heat, out []span) ([]span, heat) {
	sc := scratches.get()
	defer func() {
		// Hold no syscalls of a filter the caller may free.
		clear(sc.list)
		clear(sc.large)
		scratches.put(sc)
	}()
	clear(sc.bits[:])
	sc.large = sc.large[:0]
	sc.list = sc.list[:0]
	count := 0
	for _, t := range s.Tables {
		for nr, x := range t.All() {
			if x.Priority != 0 {
				hints = append(hints, heatEntry{uint32(nr), float64(x.Priority) / 16})
			}
			if !x.HasRule || nr < policy.SyscallSkip || nr == policy.SyscallSkip && !f.Attrs.TSkip {
				continue
			}
			count++
			if n := uint32(nr); n < smallNrs {
				// The first table with a rule decides.
				if w, b := n/64, uint64(1)<<(n%64); sc.bits[w]&b == 0 {
					sc.bits[w] |= b
					sc.list = append(sc.list, x)
					sc.small[n] = uint16(len(sc.list))
				}
			} else {
				sc.large = append(sc.large, numbered{n, x})
			}
		}
	}
	slices.SortStableFunc(sc.large, func(x, y numbered) int { return cmp.Compare(x.nr, y.nr) })
	sc.large = slices.CompactFunc(sc.large, func(x, y numbered) bool { return x.nr == y.nr })

	if out = out[:0]; cap(out) < 2*count+4 {
		out = make([]span, 0, 2*count+4)
	}
	at := func(lo uint32, o outcome) {
		if n := len(out); n > 0 {
			if out[n-1].out == o {
				return // extends the previous range
			}
			out[n-1].hi = lo - 1
		}
		out = append(out, span{lo: lo, hi: ^uint32(0), out: o})
	}
	// Where the ABIs end only changes at the bounds gap splits at, so
	// below the first it is asked once, not for every number.
	lowForeign := s.Foreign(0)
	foreign := func(n uint32) bool {
		if n < arch.X32SyscallBit {
			return lowForeign
		}
		return s.Foreign(n)
	}
	gapOutcome := func(n uint32) outcome {
		if foreign(n) {
			return outcome{act: f.Attrs.BadArch}
		}
		return outcome{act: f.Attrs.Default}
	}
	// gap decides the numbers from..to-1, which have no entry.
	gap := func(from, to uint64) {
		if from >= to {
			return
		}
		at(uint32(from), gapOutcome(uint32(from)))
		for _, b := range [...]uint64{arch.X32SyscallBit, 1<<32 - 1} {
			if from < b && b < to {
				at(uint32(b), gapOutcome(uint32(b)))
			}
		}
	}
	var next uint64 // the first number not yet decided
	entry := func(n uint32, x *policy.Syscall) {
		gap(next, uint64(n))
		o := outcome{act: f.Attrs.BadArch}
		if !foreign(n) {
			if act, ok := x.Unconditional(); ok {
				o = outcome{act: act}
			} else {
				o = outcome{sc: x}
			}
		}
		at(n, o)
		next = uint64(n) + 1
	}
	for w, bits := range sc.bits {
		for bits != 0 {
			b := bits & -bits
			n := uint32(w*64 + mbits.TrailingZeros64(bits))
			entry(n, sc.list[sc.small[n]-1])
			bits ^= b
		}
	}
	for _, e := range sc.large {
		entry(e.nr, e.sc)
	}
	gap(next, 1<<32)
	return out, hints
}

// smallNrs bounds the numbers spans orders with a bitmap; syscall
// numbers of every ABI but x32 and MIPS fall below it.
const smallNrs = 1 << 13

// numbered is a syscall entry with its kernel number.
type numbered struct {
	nr uint32
	sc *policy.Syscall
}

// spanScratch is spans' working memory, kept between calls.
type spanScratch struct {
	bits  [smallNrs / 64]uint64
	small [smallNrs]uint16 // by number, where bits says: index+1 in list
	list  []*policy.Syscall
	large []numbered
}

var scratches cache[spanScratch]
