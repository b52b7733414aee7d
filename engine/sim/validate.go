package sim

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// Classic BPF encoding, as in linux/bpf_common.h and linux/filter.h.
const (
	classMask = 0x07
	classLD   = 0x00
	classLDX  = 0x01
	classST   = 0x02
	classSTX  = 0x03
	classALU  = 0x04
	classJMP  = 0x05
	classRET  = 0x06
	classMISC = 0x07

	modeABS = 0x20
	modeMEM = 0x60
	modeLEN = 0x80

	srcX = 0x08
	retA = classRET | 0x10

	opMask = 0xf0
	opAdd  = 0x00
	opSub  = 0x10
	opMul  = 0x20
	opDiv  = 0x30
	opOr   = 0x40
	opAnd  = 0x50
	opLsh  = 0x60
	opRsh  = 0x70
	opNeg  = 0x80
	opXor  = 0xa0

	opJa   = 0x00
	opJeq  = 0x10
	opJgt  = 0x20
	opJge  = 0x30
	opJset = 0x40

	ldAbsW  = classLD | modeABS // BPF_W is 0
	ldLenW  = classLD | modeLEN
	ldxLenW = classLDX | modeLEN
	ldImm   = classLD
	ldxImm  = classLDX
	ldMem   = classLD | modeMEM
	ldxMem  = classLDX | modeMEM
	st      = classST
	stx     = classSTX
	tax     = classMISC
	txa     = classMISC | 0x80
	retK    = classRET
	ja      = classJMP | opJa
	aluNeg  = classALU | opNeg
)

// MaxInstructions is the kernel's BPF_MAXINSNS.
const MaxInstructions = 4096

// memWords is BPF_MEMWORDS, the number of scratch memory slots.
const memWords = 16

// ValidationError says why the kernel would refuse a program. The kernel
// itself only answers EINVAL; the detail is for people.
type ValidationError struct {
	// PC is the offending instruction, or -1 for the program as a whole.
	PC     int
	Reason string
}

func (e *ValidationError) Error() string {
	if e.PC < 0 {
		return "sim: invalid program: " + e.Reason
	}
	return fmt.Sprintf("sim: invalid instruction %d: %s", e.PC, e.Reason)
}

func invalid(pc int, format string, args ...any) error {
	return &ValidationError{PC: pc, Reason: fmt.Sprintf(format, args...)}
}

// allowed is the opcode set seccomp_check_filter accepts; everything else,
// including the BPF_MOD operator and packet loads other than 32-bit
// absolute ones, is refused when the filter is installed. Every such
// opcode is below 0x100, so a table indexed by the low byte (and a check of
// the high one) replaces a map lookup per instruction, which was most of
// the cost of validating a long program.
var allowed = func() (m [0x100]bool) {
	for _, op := range []uint16{
		ldAbsW, ldLenW, ldxLenW, ldImm, ldxImm, ldMem, ldxMem,
		st, stx, tax, txa, retK, retA, ja, aluNeg,
	} {
		m[op] = true
	}
	for _, op := range []uint16{opAdd, opSub, opMul, opDiv, opAnd, opOr, opXor, opLsh, opRsh} {
		m[classALU|op] = true
		m[classALU|op|srcX] = true
	}
	for _, op := range []uint16{opJeq, opJgt, opJge, opJset} {
		m[classJMP|op] = true
		m[classJMP|op|srcX] = true
	}
	return m
}()

func allowedOp(op uint16) bool { return op < 0x100 && allowed[op] }

// Validate applies the checks the kernel makes before it installs a seccomp
// filter (bpf_check_classic followed by seccomp_check_filter) and returns a
// *ValidationError for the first one that fails.
func Validate(prog []bpf.RawInstruction) error {
	n := len(prog)
	if n == 0 || n > MaxInstructions {
		return invalid(-1, "%d instructions, want 1..%d", n, MaxInstructions)
	}
	// Only a program that reads scratch memory needs the pass that checks
	// each read follows a write.
	readsScratch := false
	for pc, in := range prog {
		if !allowedOp(in.Op) {
			return invalid(pc, "opcode %#04x not allowed in seccomp", in.Op)
		}
		switch in.Op {
		case ldAbsW:
			if in.K >= DataSize || in.K&3 != 0 {
				return invalid(pc, "load at offset %d, want a multiple of 4 below %d", in.K, DataSize)
			}
		case classALU | opDiv:
			if in.K == 0 {
				return invalid(pc, "division by constant zero")
			}
		case classALU | opLsh, classALU | opRsh:
			if in.K >= 32 {
				return invalid(pc, "shift by %d", in.K)
			}
		case ldMem, ldxMem, st, stx:
			readsScratch = readsScratch || in.Op == ldMem || in.Op == ldxMem
			if in.K >= memWords {
				return invalid(pc, "scratch slot %d out of range", in.K)
			}
		case ja:
			// Unsigned as in the kernel, so a huge K cannot wrap around.
			if in.K >= uint32(n-pc-1) {
				return invalid(pc, "jump by %d leaves the program", in.K)
			}
		default:
			if in.Op&classMask == classJMP {
				if pc+int(in.Jt)+1 >= n || pc+int(in.Jf)+1 >= n {
					return invalid(pc, "conditional jump (%d, %d) leaves the program", in.Jt, in.Jf)
				}
			}
		}
	}
	if last := prog[n-1].Op; last != retK && last != retA {
		return invalid(n-1, "last instruction is not a return")
	}
	if readsScratch {
		return checkScratch(prog)
	}
	return nil
}

// checkScratch refuses loads from scratch slots that some path reaches
// without storing to them first, by the kernel's forward pass: each
// instruction knows the slots written on every path into it, and a jump
// passes its knowledge on to its targets only.
func checkScratch(prog []bpf.RawInstruction) error {
	const all = 1<<memWords - 1
	masks := make([]uint16, len(prog))
	for i := range masks {
		masks[i] = all
	}
	var valid uint16
	for pc, in := range prog {
		valid &= masks[pc]
		switch {
		case in.Op == st || in.Op == stx:
			valid |= 1 << in.K
		case in.Op == ldMem || in.Op == ldxMem:
			if valid&(1<<in.K) == 0 {
				return invalid(pc, "scratch slot %d may be read before it is written", in.K)
			}
		case in.Op == ja:
			masks[pc+1+int(in.K)] &= valid
			valid = all
		case in.Op&classMask == classJMP:
			masks[pc+1+int(in.Jt)] &= valid
			masks[pc+1+int(in.Jf)] &= valid
			valid = all
		}
		// After a return, valid carries over into the next instruction
		// as though control could fall through; the kernel does the same,
		// which can only make it stricter.
	}
	return nil
}
