package sim

import (
	"fmt"
	"strings"

	"golang.org/x/net/bpf"
)

var aluNames = map[uint16]string{
	opAdd: "add", opSub: "sub", opMul: "mul", opDiv: "div", opAnd: "and",
	opOr: "or", opXor: "xor", opLsh: "lsh", opRsh: "rsh", 0x90: "mod",
}

var jumpNames = map[uint16]string{opJeq: "jeq", opJgt: "jgt", opJge: "jge", opJset: "jset"}

// Format renders the instruction at pc in the style of the kernel's
// bpf_dbg, with jump targets as absolute instruction numbers so that a
// reader can follow long programs without counting. Instructions seccomp
// does not allow are shown as raw fields.
func Format(pc int, in bpf.RawInstruction) string {
	operand := func() string {
		if in.Op&srcX != 0 {
			return "x"
		}
		return fmt.Sprintf("#%#x", in.K)
	}
	switch in.Op {
	case ldAbsW:
		return fmt.Sprintf("ld [%d]", in.K)
	case ldLenW:
		return "ld #len"
	case ldxLenW:
		return "ldx #len"
	case ldImm:
		return fmt.Sprintf("ld #%#x", in.K)
	case ldxImm:
		return fmt.Sprintf("ldx #%#x", in.K)
	case ldMem:
		return fmt.Sprintf("ld M[%d]", in.K)
	case ldxMem:
		return fmt.Sprintf("ldx M[%d]", in.K)
	case st:
		return fmt.Sprintf("st M[%d]", in.K)
	case stx:
		return fmt.Sprintf("stx M[%d]", in.K)
	case tax:
		return "tax"
	case txa:
		return "txa"
	case retK:
		return fmt.Sprintf("ret #%#x", in.K)
	case retA:
		return "ret a"
	case ja:
		return fmt.Sprintf("ja %d", pc+1+int(in.K))
	case aluNeg:
		return "neg"
	}
	switch in.Op & classMask {
	case classALU:
		if name, ok := aluNames[in.Op&opMask]; ok {
			return name + " " + operand()
		}
	case classJMP:
		if name, ok := jumpNames[in.Op&opMask]; ok {
			return fmt.Sprintf("%s %s, %d, %d", name, operand(), pc+1+int(in.Jt), pc+1+int(in.Jf))
		}
	}
	return fmt.Sprintf("raw op=%#04x jt=%d jf=%d k=%#x", in.Op, in.Jt, in.Jf, in.K)
}

// Disassemble renders prog one numbered instruction a line.
func Disassemble(prog []bpf.RawInstruction) string {
	var b strings.Builder
	for pc, in := range prog {
		fmt.Fprintf(&b, "%4d: %s\n", pc, Format(pc, in))
	}
	return b.String()
}
