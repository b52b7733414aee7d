package sim

import (
	"errors"
	"math/bits"
)

// Walk runs a program once for every call at the same time, as far as the
// program looks at nothing but seccomp_data.nr and .arch.
//
// Those two fields are kept symbolic, each as an interval of its possible
// values; a comparison of one of them with a constant splits the interval
// between the jump's two targets. Every path ends either in a return of a
// constant, decided for all calls of its class, or just before the first
// instruction whose effect Walk does not follow symbolically (a load of an
// argument or the instruction pointer, arithmetic on nr or arch, a return
// of one of them, a comparison between the two registers when one is
// symbolic). The classes partition the whole space of 2^32 archs by 2^32
// numbers, so a caller that checks every class has checked every call.
//
// A search over syscall numbers only ever compares nr with constants, so
// the classes it produces are its ranges: a few hundred paths where running
// the program number by number would take billions.

// Interval is the values Lo..Hi, both included.
type Interval struct{ Lo, Hi uint32 }

// Len is the number of values in iv, which needs 33 bits for the full
// range.
func (iv Interval) Len() uint64 { return uint64(iv.Hi) - uint64(iv.Lo) + 1 }

// SymKind says what a symbolic value stands for.
type SymKind uint8

const (
	SymConst SymKind = iota // the constant C
	SymNr                   // seccomp_data.nr
	SymArch                 // seccomp_data.arch
)

// Sym is a register or scratch slot as Walk knows it.
type Sym struct {
	Of SymKind
	C  uint32
}

// SymState is the machine between two instructions, symbolically.
type SymState struct {
	A, X Sym
	// Mem is nil until the path stores to scratch memory, which a
	// search never does; every split copies the state, and without the
	// array that copy is a few words. Paths may share an array: a store
	// writes to a copy.
	Mem *[memWords]Sym
}

// store sets scratch slot k, copying the array first since other paths
// may share it.
func (s *SymState) store(k uint32, v Sym) {
	var m [memWords]Sym
	if s.Mem != nil {
		m = *s.Mem
	}
	m[k] = v
	s.Mem = &m
}

// Concrete is s for the call with the given arch and number.
func (s *SymState) Concrete(arch, nr uint32) State {
	val := func(v Sym) uint32 {
		switch v.Of {
		case SymNr:
			return nr
		case SymArch:
			return arch
		}
		return v.C
	}
	st := State{A: val(s.A), X: val(s.X)}
	if s.Mem != nil {
		for i, m := range s.Mem {
			st.Mem[i] = val(m)
		}
	}
	return st
}

// Class is the calls with arch in Arch and nr in Nr, which all take one
// path through the part of a program Walk follows.
type Class struct {
	Arch, Nr Interval
	// Returns reports that the path ends in a return: the program's
	// answer for every call of the class, whatever its arguments, is Ret.
	Returns bool
	Ret     uint32
	// Otherwise the path stops before the instruction at PC with State:
	// Program.Resume from there with State.Concrete of a call finishes
	// that call's run. State is left over from another class when
	// Returns is set.
	PC    int
	State SymState
}

// ErrWalkBudget is returned by Walk for a program whose paths it would
// take too long to follow; no program a generator emits comes near it,
// but a hand-made one can make the number of paths explode.
var ErrWalkBudget = errors.New("sim: too many paths to walk")

// walkBudget bounds the instructions Walk steps through in all. A search
// over numbers visits each of its instructions about once per range, so
// even a program of the kernel's maximum length stays far below it. A
// variable so that tests can make hitting it cheap.
var walkBudget = 1 << 20

// Walk calls visit for every class of calls (see the comment above),
// stopping at the first error visit returns. The Class passed to visit is
// only valid during the call.
func (p *Program) Walk(visit func(*Class) error) error {
	w := walker{p: p, visit: visit}
	full := Interval{0, ^uint32(0)}
	return w.run(0, &SymState{}, full, full)
}

type walker struct {
	p     *Program
	visit func(*Class) error
	steps int
	c     Class // reused for every visit
}

func (w *walker) done(arch, nr Interval, ret uint32) error {
	// Field by field: clearing the whole Class, State and all, is most
	// of the cost of a visit.
	w.c.Arch, w.c.Nr, w.c.Returns, w.c.Ret, w.c.PC = arch, nr, true, ret, 0
	return w.visit(&w.c)
}

func (w *walker) stop(pc int, s *SymState, arch, nr Interval) error {
	w.c.Arch, w.c.Nr, w.c.Returns, w.c.Ret, w.c.PC, w.c.State = arch, nr, false, 0, pc, *s
	return w.visit(&w.c)
}

// run follows the path from pc for the calls arch × nr. It owns s, which
// it changes as it goes; a branch that splits the calls gives each side a
// copy.
func (w *walker) run(pc int, s *SymState, arch, nr Interval) error {
	for ; ; pc++ {
		if w.steps++; w.steps > walkBudget {
			return ErrWalkBudget
		}
		in := w.p.insns[pc]
		switch in.Op {
		case ldAbsW:
			switch in.K {
			case 0:
				s.A = Sym{Of: SymNr}
			case 4:
				s.A = Sym{Of: SymArch}
			default:
				return w.stop(pc, s, arch, nr)
			}
		case ldLenW:
			s.A = Sym{C: DataSize}
		case ldxLenW:
			s.X = Sym{C: DataSize}
		case ldImm:
			s.A = Sym{C: in.K}
		case ldxImm:
			s.X = Sym{C: in.K}
		case ldMem:
			// Validate proved the slot written on every path here.
			s.A = s.Mem[in.K]
		case ldxMem:
			s.X = s.Mem[in.K]
		case st:
			s.store(in.K, s.A)
		case stx:
			s.store(in.K, s.X)
		case tax:
			s.X = s.A
		case txa:
			s.A = s.X
		case retK:
			return w.done(arch, nr, in.K)
		case retA:
			if s.A.Of != SymConst {
				return w.stop(pc, s, arch, nr)
			}
			return w.done(arch, nr, s.A.C)
		case ja:
			pc += int(in.K)
		case aluNeg:
			if s.A.Of != SymConst {
				return w.stop(pc, s, arch, nr)
			}
			s.A.C = -s.A.C
		default:
			v := Sym{C: in.K}
			if in.Op&srcX != 0 {
				v = s.X
			}
			switch in.Op & classMask {
			case classALU:
				if s.A.Of != SymConst || v.Of != SymConst {
					return w.stop(pc, s, arch, nr)
				}
				op := in.Op & opMask
				if op == opDiv && v.C == 0 {
					return w.done(arch, nr, 0)
				}
				s.A.C = alu(op, s.A.C, v.C)
			case classJMP:
				op := in.Op & opMask
				switch {
				case in.Jt == in.Jf:
					pc += int(in.Jt)
				case s.A.Of == SymConst && v.Of == SymConst:
					if jumpTaken(op, s.A.C, v.C) {
						pc += int(in.Jt)
					} else {
						pc += int(in.Jf)
					}
				case s.A.Of != SymConst && v.Of == SymConst:
					return w.split(pc, s, arch, nr, op, v.C)
				default:
					return w.stop(pc, s, arch, nr)
				}
			default:
				panic("sim: opcode escaped validation")
			}
		}
	}
}

// split follows both targets of the jump at pc, which compares the
// symbolic A with the constant k, each for the calls that take it.
func (w *walker) split(pc int, s *SymState, arch, nr Interval, op uint16, k uint32) error {
	iv := nr
	if s.A.Of == SymArch {
		iv = arch
	}
	lo, hi := iv.Lo, iv.Hi
	switch op {
	case opJeq:
		if k < lo || k > hi {
			return w.follow(pc, s, arch, nr, false, iv)
		}
		if k > lo {
			if err := w.follow(pc, s, arch, nr, false, Interval{lo, k - 1}); err != nil {
				return err
			}
		}
		if k < hi {
			if err := w.follow(pc, s, arch, nr, false, Interval{k + 1, hi}); err != nil {
				return err
			}
		}
		return w.follow(pc, s, arch, nr, true, Interval{k, k})
	case opJgt, opJge:
		// Taken from cut on: k+1 for jgt, k for jge. A cut of 2^32 (jgt
		// with k all ones) is never taken.
		cut := uint64(k)
		if op == opJgt {
			cut++
		}
		if cut > uint64(lo) {
			if err := w.follow(pc, s, arch, nr, false, Interval{lo, uint32(min(uint64(hi), cut-1))}); err != nil {
				return err
			}
		}
		if cut <= uint64(hi) {
			return w.follow(pc, s, arch, nr, true, Interval{uint32(max(uint64(lo), cut)), hi})
		}
		return nil
	case opJset:
		return jsetPieces(lo, hi, k, func(taken bool, piece Interval) error {
			return w.follow(pc, s, arch, nr, taken, piece)
		})
	}
	panic("sim: jump escaped validation")
}

// follow goes on along one target of the jump at pc, for the calls whose
// value of the register compared is in piece. It gives the path a copy of
// the state, since run changes it.
func (w *walker) follow(pc int, s *SymState, arch, nr Interval, taken bool, piece Interval) error {
	in := w.p.insns[pc]
	next := pc + 1 + int(in.Jf)
	if taken {
		next = pc + 1 + int(in.Jt)
	}
	if s.A.Of == SymArch {
		arch = piece
	} else {
		nr = piece
	}
	cp := *s
	return w.run(next, &cp, arch, nr)
}

// jsetPieces cuts lo..hi into the runs on which v&k is all zero or all
// non-zero, calling fn for each with whether a jset of k is taken there.
// Adjacent runs with the same answer are merged. There can be as many
// runs as values (k = 1), which the walk budget catches.
func jsetPieces(lo, hi, k uint32, fn func(taken bool, piece Interval) error) error {
	var (
		pending bool
		cur     Interval
		curSet  bool
	)
	var cut func(lo, hi uint32) error
	emit := func(lo, hi uint32, set bool) error {
		if pending && curSet == set && cur.Hi+1 == lo {
			cur.Hi = hi
			return nil
		}
		if pending {
			if err := fn(curSet, cur); err != nil {
				return err
			}
		}
		pending, cur, curSet = true, Interval{lo, hi}, set
		return nil
	}
	cut = func(lo, hi uint32) error {
		if lo == hi {
			return emit(lo, hi, lo&k != 0)
		}
		// Below bit p, lo..hi spans every pattern the bits can take
		// somewhere; above it, all its values agree with lo.
		p := bits.Len32(lo^hi) - 1
		low := uint32(1)<<(p+1) - 1
		switch {
		case lo&^low&k != 0:
			return emit(lo, hi, true)
		case k&low == 0:
			return emit(lo, hi, false)
		}
		mid := lo&^low | 1<<p
		if err := cut(lo, mid-1); err != nil {
			return err
		}
		return cut(mid, hi)
	}
	if err := cut(lo, hi); err != nil {
		return err
	}
	return fn(curSet, cur)
}
