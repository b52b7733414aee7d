package policy

import "fmt"

// Op is a comparison of a syscall argument, numbered as libseccomp's
// enum scmp_compare.
type Op uint8

// The comparisons.
const (
	OpNE       Op = 1
	OpLT       Op = 2
	OpLE       Op = 3
	OpEQ       Op = 4
	OpGE       Op = 5
	OpGT       Op = 6
	OpMaskedEQ Op = 7
)

// MaxArgs is the number of syscall arguments seccomp_data carries.
const MaxArgs = 6

var opNames = [...]string{OpNE: "!=", OpLT: "<", OpLE: "<=", OpEQ: "==", OpGE: ">=", OpGT: ">", OpMaskedEQ: "&="}

func (o Op) String() string {
	if o >= OpNE && o <= OpMaskedEQ {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Cond is one argument comparison, normalised: every op compares
// (arg & Mask) with Datum, and Mask is all ones except for OpMaskedEQ.
type Cond struct {
	Arg   uint
	Op    Op
	Mask  uint64
	Datum uint64
}

// NewCond builds a Cond from libseccomp's (arg, op, datum_a, datum_b),
// where MASKED_EQ takes the mask in datum_a and the value in datum_b.
func NewCond(arg uint, op Op, a, b uint64) (Cond, error) {
	if arg >= MaxArgs {
		return Cond{}, ErrInvalid
	}
	switch op {
	case OpNE, OpLT, OpLE, OpEQ, OpGE, OpGT:
		return Cond{Arg: arg, Op: op, Mask: ^uint64(0), Datum: a}, nil
	case OpMaskedEQ:
		return Cond{Arg: arg, Op: op, Mask: a, Datum: b}, nil
	}
	return Cond{}, ErrInvalid
}

// Match reports whether the argument value v satisfies c.
func (c Cond) Match(v uint64) bool {
	v &= c.Mask
	switch c.Op {
	case OpNE:
		return v != c.Datum
	case OpLT:
		return v < c.Datum
	case OpLE:
		return v <= c.Datum
	case OpEQ, OpMaskedEQ:
		return v == c.Datum
	case OpGE:
		return v >= c.Datum
	case OpGT:
		return v > c.Datum
	}
	return false
}

func (c Cond) String() string {
	if c.Op == OpMaskedEQ {
		return fmt.Sprintf("a%d & %#x == %#x", c.Arg, c.Mask, c.Datum)
	}
	return fmt.Sprintf("a%d %s %#x", c.Arg, c.Op, c.Datum)
}
