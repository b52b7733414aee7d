package tree

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// Verify checks that prog decides every call as f does, before the
// program leaves the library. It is exact for archs and syscall numbers
// and samples arguments:
//
//   - The program is walked once for all calls (sim.Program.Walk), with
//     arch and nr as intervals that its comparisons split, so every arch
//     token and every number of every section is checked, foreign tokens,
//     numbers outside the table and the x32 half included. A class that
//     ends in a return is compared with the policy's decision for all of
//     its numbers at once, range by range.
//   - Where a path goes on to look at arguments, the rest of the program
//     is run from that point for each number of the class, and for
//     syscalls with argument rules, with every argument that a rule
//     compares tried at and around each datum of the syscall's rules, at 0,
//     all ones, and the 32-bit boundaries, one argument at a time (see
//     sampler), at most ArgSampleBudget vectors per syscall.
//
// The policy's decisions come from its own lookup, range by range over the
// generator's spans: the spans are trusted to cut the numbers wherever
// the policy may change (at rule numbers, one past them, and the x32
// boundary), not to say what the decision is.
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
	v := &verifier{f: f, p: p, prog: prog, secs: make([]verifySection, len(plans)), smp: samplers.Get().(*sampler)}
	defer func() {
		v.smp.release()
		samplers.Put(v.smp)
	}()
	for i := range plans {
		if err := v.secs[i].init(f, &plans[i]); err != nil {
			return err
		}
	}
	if len(f.Tables) > 0 {
		v.bigEndian = f.Tables[0].Arch.BigEndian // one byte order per filter
	}
	if err := p.Walk(v.class); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

// samplers keeps samplers, whose slices would otherwise grow from nothing
// on every check.
var samplers = sync.Pool{New: func() any { return new(sampler) }}

// verifier checks the classes of a walk against the policy.
type verifier struct {
	f    *policy.Filter
	p    *sim.Program
	prog []bpf.RawInstruction
	secs []verifySection
	// bigEndian is the byte order of every ABI of the filter.
	bigEndian bool
	smp       *sampler
	ks        []uint32 // constants the program compares with, and ks+1, sorted
}

// verifySection is a section with the policy's decision for each of its
// spans.
type verifySection struct {
	sec   *policy.Section
	a     *arch.Arch
	tok   uint32
	spans []span
	// want[i] is the decision for the numbers of spans[i], taken from
	// the policy's own lookup rather than from the span, so that a wrong
	// outcome in the generator's plan is caught; the plan is trusted only
	// to cut the numbers where the policy can change.
	want []outcome
	hint int // the span the last class ended in
}

func (s *verifySection) init(f *policy.Filter, pl *sectionPlan) error {
	s.sec, s.a, s.tok, s.spans = &pl.sec, pl.sec.Tables[0].Arch, uint32(pl.sec.Token), pl.spans
	s.want = make([]outcome, len(s.spans))
	next := uint32(0)
	for i, r := range s.spans {
		// The spans must cover every number once, in order; the walk's
		// classes are matched against them by binary search.
		if r.lo != next || r.hi < r.lo || (i == len(s.spans)-1) != (r.hi == ^uint32(0)) {
			return fmt.Errorf("verify: %s: plan does not cover the numbers in order at %#x", s.a, r.lo)
		}
		next = r.hi + 1
		if s.sec.Foreign(r.lo) {
			s.want[i] = outcome{act: f.Attrs.BadArch}
			continue
		}
		switch sc := f.Lookup(*s.sec, r.lo); {
		case sc == nil:
			s.want[i] = outcome{act: f.Attrs.Default}
		case sc.Rules == nil:
			s.want[i] = outcome{act: sc.Action}
		default:
			s.want[i] = outcome{sc: sc}
		}
	}
	if len(s.spans) == 0 {
		return fmt.Errorf("verify: %s: empty plan", s.a)
	}
	return nil
}

// class checks one class of the walk.
func (v *verifier) class(c *sim.Class) error {
	// Sections whose token is in the class, and whether it holds any
	// token the filter does not name.
	inside := uint64(0)
	for i := range v.secs {
		s := &v.secs[i]
		if s.tok < c.Arch.Lo || s.tok > c.Arch.Hi {
			continue
		}
		inside++
		if err := v.section(s, c); err != nil {
			return err
		}
	}
	if inside < c.Arch.Len() {
		return v.foreign(c)
	}
	return nil
}

// section checks the calls of class c that carry section s's token.
func (v *verifier) section(s *verifySection, c *sim.Class) error {
	// Classes mostly come in ascending order of numbers, each starting
	// in the span the last one ended in or the next.
	i := s.hint
	switch {
	case i < len(s.spans) && s.spans[i].lo <= c.Nr.Lo && c.Nr.Lo <= s.spans[i].hi:
	case i+1 < len(s.spans) && s.spans[i+1].lo <= c.Nr.Lo && c.Nr.Lo <= s.spans[i+1].hi:
		i++
	default:
		i = sort.Search(len(s.spans), func(i int) bool { return s.spans[i].hi >= c.Nr.Lo })
	}
	for ; i < len(s.spans) && s.spans[i].lo <= c.Nr.Hi; i++ {
		s.hint = i
		want := s.want[i]
		lo, hi := max(c.Nr.Lo, s.spans[i].lo), min(c.Nr.Hi, s.spans[i].hi)
		if c.Returns && want.sc == nil {
			if policy.Action(c.Ret) != want.act {
				return v.mismatch(s.a, s.tok, lo, [policy.MaxArgs]uint64{}, c.Ret, want.act)
			}
			continue
		}
		// The policy needs arguments, or the program does. One number
		// stands for the piece, on which the policy does not change;
		// where the program may still tell numbers apart, so do the ends
		// and every place its comparisons could cut.
		check := func(nr uint32) error { return v.call(s.a, s.tok, nr, c, want) }
		var err error
		if c.Returns {
			err = check(lo)
		} else {
			err = v.numbers(lo, hi, check)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// foreign checks the calls of class c whose token no section has: every
// one of them gets the bad-arch action, whatever its number.
func (v *verifier) foreign(c *sim.Class) error {
	bad := v.f.Attrs.BadArch
	if c.Returns {
		if policy.Action(c.Ret) != bad {
			tok := v.foreignToken(c.Arch, func(uint32) bool { return false })
			return v.mismatch(nil, tok, c.Nr.Lo, [policy.MaxArgs]uint64{}, c.Ret, bad)
		}
		return nil
	}
	// A path that looks past nr and arch before deciding a foreign token;
	// the generator never emits one. Try a few tokens the class holds.
	var err error
	v.foreignToken(c.Arch, func(tok uint32) bool {
		err = v.numbers(c.Nr.Lo, c.Nr.Hi, func(nr uint32) error {
			return v.call(nil, tok, nr, c, outcome{act: bad})
		})
		return err == nil
	})
	return err
}

// foreignToken calls try with tokens of iv that no section has: its ends
// and the neighbours of each section's token, until try returns false.
// It returns the last token tried.
func (v *verifier) foreignToken(iv sim.Interval, try func(uint32) bool) uint32 {
	cands := []uint32{iv.Lo, iv.Hi}
	for _, s := range v.secs {
		cands = append(cands, s.tok-1, s.tok+1)
	}
	last := iv.Lo
	for _, t := range cands {
		if t < iv.Lo || t > iv.Hi || slices.ContainsFunc(v.secs, func(s verifySection) bool { return s.tok == t }) {
			continue
		}
		last = t
		if !try(t) {
			break
		}
	}
	return last
}

// numbers calls fn for lo, and, unless the class is a single number, for
// hi and every number in lo..hi at which a comparison of the program
// could change the path (its constant, and the one after).
func (v *verifier) numbers(lo, hi uint32, fn func(uint32) error) error {
	if err := fn(lo); err != nil || lo == hi {
		return err
	}
	if v.ks == nil {
		v.ks = []uint32{}
		for _, in := range v.prog {
			if in.Op&0x07 == 0x05 && in.Op != opJa {
				v.ks = append(v.ks, in.K, in.K+1)
			}
		}
		slices.Sort(v.ks)
		v.ks = slices.Compact(v.ks)
	}
	i, _ := slices.BinarySearch(v.ks, lo+1)
	for ; i < len(v.ks) && v.ks[i] < hi; i++ {
		if err := fn(v.ks[i]); err != nil {
			return err
		}
	}
	return fn(hi)
}

// call checks the calls (tok, nr) of class c, which the policy decides as
// want: with argument samples when want depends on arguments, else with
// all arguments zero.
func (v *verifier) call(a *arch.Arch, tok, nr uint32, c *sim.Class, want outcome) error {
	var (
		st   sim.State
		data [sim.DataSize / 4]uint32
	)
	if !c.Returns {
		st = c.State.Concrete(tok, nr)
		data = sim.Data{Nr: int32(nr), Arch: tok}.Words(v.bigEndian)
	}
	// Where the halves of argument i go in data: words 4+2i and 5+2i,
	// the high half first on big-endian.
	lo, hi := 4, 5
	if v.bigEndian {
		lo, hi = 5, 4
	}
	if want.sc == nil {
		got := c.Ret
		if !c.Returns {
			got = v.p.Resume(c.PC, &st, &data)
		}
		if policy.Action(got) != want.act {
			return v.mismatch(a, tok, nr, [policy.MaxArgs]uint64{}, got, want.act)
		}
		return nil
	}
	// What sampler.each does, written out: through its callback the
	// state and data went to the heap, and each vector paid two calls.
	v.smp.load(want.sc, v.f.Attrs.Default)
	var words [2 * policy.MaxArgs]uint32
	m := v.smp.tries()
	for j := range m {
		arg, val := v.smp.at(j, m)
		i := 2 * arg
		words[i], words[i+1] = uint32(val), uint32(val>>32)
		got := c.Ret
		if !c.Returns {
			// Only arg is not zero, and only for this vector.
			data[lo+i], data[hi+i] = words[i], words[i+1]
			got = v.p.Resume(c.PC, &st, &data)
			data[lo+i], data[hi+i] = 0, 0
		}
		if exp := v.smp.decide(&words); policy.Action(got) != exp {
			var args [policy.MaxArgs]uint64
			args[arg] = val
			return v.mismatch(a, tok, nr, args, got, exp)
		}
		words[i], words[i+1] = 0, 0
	}
	return nil
}

func (v *verifier) mismatch(a *arch.Arch, tok, nr uint32, args [policy.MaxArgs]uint64, got uint32, want policy.Action) error {
	return &MismatchError{Arch: a, Token: tok, Nr: nr, Args: args, Got: policy.Action(got), Want: want}
}

// MismatchError is a call that a program decides differently from its
// policy: the witness Verify found.
type MismatchError struct {
	Arch      *arch.Arch // nil for a token the filter does not name
	Token     uint32
	Nr        uint32
	Args      [policy.MaxArgs]uint64
	Got, Want policy.Action
}

func (e *MismatchError) Error() string {
	if e.Arch == nil {
		return fmt.Sprintf("verify: arch token %#x syscall %#x args %#x: program returns %v, policy says %v", e.Token, e.Nr, e.Args, e.Got, e.Want)
	}
	return fmt.Sprintf("verify: %s syscall %#x args %#x: program returns %v, policy says %v", e.Arch, e.Nr, e.Args, e.Got, e.Want)
}
