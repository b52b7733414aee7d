// Package sim executes classic BPF programs the way the Linux kernel runs a
// seccomp filter.
//
// It is the oracle the generator is tested against and the engine of tools
// that explain a filter's decision, so it follows the kernel rather than any
// particular BPF library: the same instruction subset, the same load-time
// checks, and the same run-time corner cases (division by a zero X register
// ends the program with 0, register shift counts are taken modulo 32).
package sim

import (
	"encoding/binary"

	"golang.org/x/net/bpf"
)

// Data is struct seccomp_data, the only input a seccomp filter can read.
type Data struct {
	Nr   int32
	Arch uint32
	IP   uint64
	Args [6]uint64
}

// DataSize is sizeof(struct seccomp_data); BPF_LEN loads see this value.
const DataSize = 64

// Words returns d as the sixteen 32-bit words a filter can load, in the
// order of their offsets, as a kernel of the given byte order stores it.
// The 64-bit fields are the reason byte order matters: a word load of one of
// them sees the low half first on little-endian and the high half first on
// big-endian.
func (d Data) Words(bigEndian bool) [DataSize / 4]uint32 {
	var w [DataSize / 4]uint32
	w[0] = uint32(d.Nr)
	w[1] = d.Arch
	put64 := func(i int, v uint64) {
		lo, hi := uint32(v), uint32(v>>32)
		if bigEndian {
			lo, hi = hi, lo
		}
		w[i], w[i+1] = lo, hi
	}
	put64(2, d.IP)
	for i, a := range d.Args {
		put64(4+2*i, a)
	}
	return w
}

// Bytes returns d laid out in memory as a kernel of the given byte order
// lays it out.
func (d Data) Bytes(bigEndian bool) [DataSize]byte {
	var b [DataSize]byte
	var order binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	for i, w := range d.Words(bigEndian) {
		order.PutUint32(b[4*i:], w)
	}
	return b
}

// Program is a filter that passed Validate and can be run any number of
// times without being checked again.
type Program struct {
	insns []bpf.RawInstruction
}

// New validates prog and returns it ready to run. The program is copied, so
// the caller may reuse its slice.
func New(prog []bpf.RawInstruction) (*Program, error) {
	if err := Validate(prog); err != nil {
		return nil, err
	}
	return &Program{insns: append([]bpf.RawInstruction(nil), prog...)}, nil
}

// Len is the number of instructions in p.
func (p *Program) Len() int { return len(p.insns) }

// Instruction returns the instruction at pc, which must be below Len.
func (p *Program) Instruction(pc int) bpf.RawInstruction { return p.insns[pc] }

// Run validates prog and executes it for d; see Program.Run.
func Run(prog []bpf.RawInstruction, d Data, bigEndian bool) (ret uint32, steps int, err error) {
	p, err := New(prog)
	if err != nil {
		return 0, 0, err
	}
	ret, steps = p.Run(d, bigEndian)
	return ret, steps, nil
}

// Run executes p for d as seen by a kernel of the given byte order and
// returns the filter's return value and the number of instructions
// executed, counting the one that ended the program.
func (p *Program) Run(d Data, bigEndian bool) (ret uint32, steps int) {
	w := d.Words(bigEndian)
	return p.exec(0, State{}, &w, nil)
}

// State is the machine between two instructions: what a run has put in
// the registers and scratch memory so far. A run starts from the zero
// State.
type State struct {
	A, X uint32
	Mem  [memWords]uint32
}

// Resume continues a run at pc, which must be below Len, from state s,
// with the data as Data.Words lays it out, and returns the filter's
// return value. It lets a caller that knows how every run reaches pc (see
// Walk) try many inputs from there without repeating the way in, and
// without building a Data per input.
func (p *Program) Resume(pc int, s *State, data *[DataSize / 4]uint32) uint32 {
	// What a generated program does past its number search (loads,
	// masks, comparisons with constants) runs here without exec's
	// bookkeeping; anything else goes on in exec from where it stands,
	// which is exact since only A has changed.
	a := s.A
	for {
		in := &p.insns[pc]
		switch in.Op {
		case ldAbsW:
			a = data[in.K>>2]
			pc++
		case classALU | opAnd:
			a &= in.K
			pc++
		case ja:
			pc += 1 + int(in.K)
		case retK:
			return in.K
		case classJMP | opJeq, classJMP | opJgt, classJMP | opJge, classJMP | opJset:
			if jumpTaken(in.Op&opMask, a, in.K) {
				pc += 1 + int(in.Jt)
			} else {
				pc += 1 + int(in.Jf)
			}
		default:
			st := *s
			st.A = a
			ret, _ := p.exec(pc, st, data, nil)
			return ret
		}
	}
}

// Step is the machine state just before one instruction executes.
type Step struct {
	PC   int
	A, X uint32
}

// Trace is Run that also reports every instruction executed, in order,
// with the register values it found.
func (p *Program) Trace(d Data, bigEndian bool) (ret uint32, path []Step) {
	w := d.Words(bigEndian)
	ret, _ = p.exec(0, State{}, &w, func(s Step) { path = append(path, s) })
	return ret, path
}

func (p *Program) exec(pc int, s State, data *[DataSize / 4]uint32, visit func(Step)) (uint32, int) {
	var (
		a, x  = s.A, s.X
		mem   = s.Mem
		steps int
	)
	// Validate guarantees that every jump lands inside the program and that
	// the last instruction returns, so the loop cannot run off the end.
	for ; ; pc++ {
		in := p.insns[pc]
		steps++
		if visit != nil {
			visit(Step{PC: pc, A: a, X: x})
		}
		switch in.Op {
		case ldAbsW:
			a = data[in.K>>2]
		case ldLenW:
			a = DataSize
		case ldxLenW:
			x = DataSize
		case ldImm:
			a = in.K
		case ldxImm:
			x = in.K
		case ldMem:
			a = mem[in.K]
		case ldxMem:
			x = mem[in.K]
		case st:
			mem[in.K] = a
		case stx:
			mem[in.K] = x
		case tax:
			x = a
		case txa:
			a = x
		case retK:
			return in.K, steps
		case retA:
			return a, steps
		case ja:
			pc += int(in.K)
		case aluNeg:
			a = -a
		default:
			switch in.Op & classMask {
			case classALU:
				v := in.K
				if in.Op&srcX != 0 {
					v = x
				}
				op := in.Op & opMask
				if op == opDiv && v == 0 {
					// Only reachable with X: the kernel's translation
					// guards register division and ends the program.
					return 0, steps
				}
				a = alu(op, a, v)
			case classJMP:
				v := in.K
				if in.Op&srcX != 0 {
					v = x
				}
				if jumpTaken(in.Op&opMask, a, v) {
					pc += int(in.Jt)
				} else {
					pc += int(in.Jf)
				}
			default:
				panic("sim: opcode escaped validation")
			}
		}
	}
}

func alu(op uint16, a, v uint32) uint32 {
	switch op {
	case opAdd:
		return a + v
	case opSub:
		return a - v
	case opMul:
		return a * v
	case opDiv:
		return a / v
	case opAnd:
		return a & v
	case opOr:
		return a | v
	case opXor:
		return a ^ v
	case opLsh:
		// Constant counts are below 32 by validation; register counts are
		// masked as the kernel's interpreter and its JITs' hardware do.
		return a << (v & 31)
	case opRsh:
		return a >> (v & 31)
	}
	panic("sim: ALU operation escaped validation")
}

func jumpTaken(op uint16, a, v uint32) bool {
	switch op {
	case opJeq:
		return a == v
	case opJgt:
		return a > v
	case opJge:
		return a >= v
	case opJset:
		return a&v != 0
	}
	panic("sim: jump escaped validation")
}
