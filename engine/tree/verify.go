package tree

import (
	"fmt"
	"slices"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// Verify checks that prog decides every call as f does, before the
// program leaves the library. It is exact for syscall numbers and samples
// arguments:
//
//   - For each ABI of the filter, the program's outcome can only change
//     at a constant it compares against (k, k+1) and the policy's only at
//     a range boundary, so one number from every piece between those cuts
//     stands for the whole piece.
//   - For syscalls with argument rules, every argument that a rule
//     compares is tried at and around each datum of the syscall's rules,
//     at 0, all ones, and the 32-bit boundaries, one argument at a time.
//
// A foreign token (an ABI the filter does not name) is checked too.
func Verify(f *policy.Filter, prog []bpf.RawInstruction) error {
	var plans []sectionPlan
	for _, sec := range f.Sections() {
		plans = append(plans, sectionPlan{sec, spans(f, sec)})
	}
	return verify(f, prog, plans)
}

func verify(f *policy.Filter, prog []bpf.RawInstruction, plans []sectionPlan) error {
	p, err := sim.New(prog)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	var ks []uint32
	for _, in := range prog {
		if in.Op&0x07 == 0x05 && in.Op != opJa { // conditional jump on K
			ks = append(ks, in.K, in.K+1)
		}
	}
	var zero [policy.MaxArgs]uint64
	// want is f.Evaluate for a call known to come from section s, without
	// regrouping the filter's tables on every call.
	want := func(s *policy.Section, nr uint32, args [policy.MaxArgs]uint64) policy.Action {
		switch {
		case s == nil || s.Foreign(nr):
			return f.Attrs.BadArch
		case f.Lookup(*s, nr) == nil:
			return f.Attrs.Default
		}
		return f.Lookup(*s, nr).Decide(args, f.Attrs.Default)
	}
	check := func(a *arch.Arch, s *policy.Section, tok arch.Token, nr uint32, args [policy.MaxArgs]uint64) error {
		got, _ := p.Run(sim.Data{Nr: int32(nr), Arch: uint32(tok), Args: args}, a.BigEndian)
		if want := want(s, nr, args); policy.Action(got) != want {
			return fmt.Errorf("verify: %s syscall %#x args %#x: program returns %v, policy says %v", a, nr, args, policy.Action(got), want)
		}
		return nil
	}
	for i := range plans {
		sec := &plans[i].sec
		a := sec.Tables[0].Arch
		cuts := append([]uint32{0, arch.X32SyscallBit, ^uint32(0)}, ks...)
		for _, r := range plans[i].spans {
			cuts = append(cuts, r.lo)
			if r.out.sc != nil {
				for _, args := range argSamples(r.out.sc) {
					if err := check(a, sec, sec.Token, r.lo, args); err != nil {
						return err
					}
				}
			}
		}
		slices.Sort(cuts)
		for _, nr := range slices.Compact(cuts) {
			if err := check(a, sec, sec.Token, nr, zero); err != nil {
				return err
			}
		}
	}
	// Any token not in the filter gets the bad-arch action.
	for _, a := range arch.All {
		if f.Table(a) == nil && a.KernelToken() == a.Token {
			return check(a, nil, a.Token, 0, zero)
		}
	}
	return nil
}

// argSamples lists argument vectors around the data of sc's rules, one
// argument at a time, the others zero: every low word a comparison looks
// at (datum, ±1, and the datum with the bits outside the mask set) with
// the high word 0, and every such high word with the low words 0 and all
// ones. Pairing every high word with every low word would check more but
// grows with the square of the rules; this stays linear.
func argSamples(sc *policy.Syscall) [][policy.MaxArgs]uint64 {
	var words [policy.MaxArgs][2]map[uint32]bool // [arg][high]
	seen := map[*policy.Node]bool{}
	var visit func(n *policy.Node)
	visit = func(n *policy.Node) {
		if n == nil || seen[n] {
			return
		}
		for _, m := range n.Level() {
			seen[m] = true
			h := 0
			if m.High {
				h = 1
			}
			if words[m.Arg][h] == nil {
				words[m.Arg][h] = map[uint32]bool{0: true, ^uint32(0): true}
			}
			for _, w := range []uint32{m.Datum - 1, m.Datum, m.Datum + 1, m.Datum | ^m.Mask} {
				words[m.Arg][h][w] = true
			}
			visit(m.True.Next)
			visit(m.False.Next)
		}
	}
	visit(sc.Rules)
	var out [][policy.MaxArgs]uint64
	add := func(arg int, hi, lo uint32) {
		var args [policy.MaxArgs]uint64
		args[arg] = uint64(hi)<<32 | uint64(lo)
		out = append(out, args)
	}
	for arg, hl := range words {
		for _, lo := range sorted(hl[0]) {
			add(arg, 0, lo)
		}
		for _, hi := range sorted(hl[1]) {
			add(arg, hi, 0)
			add(arg, hi, ^uint32(0))
		}
	}
	return spread(out, ArgSampleBudget)
}

// ArgSampleBudget bounds the argument vectors the self-check tries per
// syscall; 0 means no bound. A syscall with hundreds of argument rules is
// a long chain, so trying all of its samples costs the square of its
// rules; past the budget an evenly spread subset is tried. Set it once,
// before generating.
var ArgSampleBudget = 96

// spread returns at most n elements of xs, evenly spaced, first and last
// included.
func spread[T any](xs []T, n int) []T {
	if n <= 0 || len(xs) <= n {
		return xs
	}
	out := make([]T, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, xs[i*(len(xs)-1)/(n-1)])
	}
	return out
}

// sorted returns the keys of set in order.
func sorted(set map[uint32]bool) []uint32 {
	out := make([]uint32, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}
