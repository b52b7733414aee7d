package main

import (
	"fmt"
	"io"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/pfc"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
)

const disasmHelp = `
Print a BPF program (as seccomp_export_bpf writes it) one instruction a
line, with jump targets as absolute instruction numbers. Comments name what
the program knows at each instruction: the field a load reads, the
architecture an arch comparison tests, the syscall a comparison of the
syscall number names, and the action of each return.

The architecture of a syscall comparison is learnt from the arch check that
leads to it; -a names it for programs that do not check (or -a native).

With --pfc, print pseudo filter code instead: the same program as nested
if/else blocks.`

func runDisasm(e *env, args []string) int {
	fs := newFlags(e, "disasm", disasmHelp)
	var a archFlag
	fs.Var(&a, "a", "assume architecture `ARCH` where the program does not check it")
	asPFC := fs.Bool("pfc", false, "print pseudo filter code")
	operands, status, ok := parse(e, fs, args)
	if !ok {
		return status
	}
	if len(operands) != 1 {
		return e.usagef("disasm", "want one BPF file, got %d operands", len(operands))
	}
	prog, err := readProgram(operands[0])
	if err != nil {
		return e.errorf("%s: %v", operands[0], err)
	}
	if *asPFC {
		if err := pfc.Render(e.stdout, prog); err != nil {
			return e.errorf("%s: %v", operands[0], err)
		}
		return exitOK
	}
	if err := disassemble(e.stdout, prog, a.a); err != nil {
		return e.errorf("%v", err)
	}
	if err := sim.Validate(prog); err != nil {
		fmt.Fprintf(e.stderr, "seccomptree: warning: the kernel would refuse this program: %v\n", err)
	}
	return exitOK
}

// What the accumulator holds, as far as a forward pass can tell.
const (
	accUnknown = iota
	accLoad    // a word of seccomp_data, at offset word
)

// accState is the knowledge at one instruction, merged over every path
// that reaches it.
type accState struct {
	reached bool
	kind    int
	off     uint32
	tok     uint32 // the arch token, when tokKnown
	known   bool
}

func (s *accState) merge(in accState) {
	if !s.reached {
		*s = in
		return
	}
	if s.kind != in.kind || s.off != in.off {
		s.kind, s.off = accUnknown, 0
	}
	if s.known != in.known || s.tok != in.tok {
		s.known, s.tok = false, 0
	}
}

// disassemble writes prog with comments. cBPF jumps only go forward, so
// one pass in instruction order sees every predecessor of an instruction
// before the instruction itself.
func disassemble(w io.Writer, prog []bpf.RawInstruction, assume *arch.Arch) error {
	states := make([]accState, len(prog)+1)
	states[0] = accState{reached: true}
	if assume != nil {
		states[0].tok, states[0].known = uint32(assume.KernelToken()), true
	}
	fmt.Fprintf(w, "# %d instructions\n", len(prog))
	for pc, in := range prog {
		s := states[pc]
		comment := annotate(in, s)
		line := sim.Format(pc, in)
		if comment != "" {
			line = fmt.Sprintf("%-28s ; %s", line, comment)
		}
		if !s.reached {
			line += " (unreachable)"
		}
		if _, err := fmt.Fprintf(w, "%4d: %s\n", pc, line); err != nil {
			return err
		}
		for _, succ := range successors(pc, in, s) {
			if succ.pc < len(states) {
				states[succ.pc].merge(succ.state)
			}
		}
	}
	return nil
}

type successor struct {
	pc    int
	state accState
}

// BPF opcodes the pass needs to recognise.
const (
	classMask = 0x07
	classJMP  = 0x05
	classRET  = 0x06
	opMask    = 0xf0
	srcX      = 0x08
	opJA      = 0x00
	opJEQ     = 0x10
	opJGT     = 0x20
	opJGE     = 0x30
	opJSET    = 0x40
	ldAbsW    = 0x20 // BPF_LD | BPF_W | BPF_ABS
	retK      = 0x06 // BPF_RET | BPF_K
)

func successors(pc int, in bpf.RawInstruction, s accState) []successor {
	next := s
	switch {
	case in.Op == ldAbsW:
		next.kind, next.off = accLoad, in.K
	case in.Op&classMask == classRET:
		return nil
	case in.Op&classMask == classJMP:
		if in.Op&opMask == opJA {
			return []successor{{pc + 1 + int(in.K), s}}
		}
		t, f := s, s
		if in.Op&opMask == opJEQ && in.Op&srcX == 0 && s.kind == accLoad && s.off == 4 {
			t.tok, t.known = in.K, true
		}
		return []successor{{pc + 1 + int(in.Jt), t}, {pc + 1 + int(in.Jf), f}}
	case in.Op&classMask == 0x01: // BPF_LDX leaves A alone
	case in.Op&classMask == 0x02, in.Op&classMask == 0x03: // BPF_ST, BPF_STX
	default:
		next.kind, next.off = accUnknown, 0
	}
	return []successor{{pc + 1, next}}
}

func annotate(in bpf.RawInstruction, s accState) string {
	var a *arch.Arch
	if s.known {
		a, _ = archByToken(s.tok)
	}
	switch {
	case in.Op == ldAbsW:
		return fieldName(in.K, a)
	case in.Op == retK:
		return policy.Action(in.K).String()
	case in.Op&classMask == classJMP && in.Op&srcX == 0 && s.kind == accLoad:
		rel, ok := map[uint16]string{opJEQ: "==", opJGT: ">", opJGE: ">=", opJSET: "&"}[in.Op&opMask]
		if !ok {
			return ""
		}
		switch s.off {
		case 4:
			if b, ok := archByToken(in.K); ok {
				return fmt.Sprintf("arch %s %s", rel, b.Name)
			}
		case 0:
			if in.Op&opMask == opJSET {
				return ""
			}
			// Range tests against the x32 bit split x86_64 from x32;
			// that x32's read is also that number is a coincidence.
			if in.K == arch.X32SyscallBit && in.Op&opMask != opJEQ {
				return fmt.Sprintf("nr %s X32_SYSCALL_BIT", rel)
			}
			if in.K == 0xffffffff {
				return fmt.Sprintf("nr %s -1", rel)
			}
			if name, ok := syscallName(a, in.K); ok {
				return fmt.Sprintf("nr %s %s", rel, name)
			}
		}
	}
	return ""
}

// fieldName names the seccomp_data word at off. Where a 64-bit field's
// halves sit depends on the byte order of the kernel the program runs on:
// the architecture's when known, the host's otherwise.
func fieldName(off uint32, a *arch.Arch) string {
	if a == nil {
		a = arch.Host()
	}
	half := func(second bool) string {
		if second != a.BigEndian {
			return "hi32"
		}
		return "lo32"
	}
	switch {
	case off == 0:
		return "nr"
	case off == 4:
		return "arch"
	case off == 8 || off == 12:
		return "ip." + half(off == 12)
	case off >= 16 && off < sim.DataSize && off%4 == 0:
		return fmt.Sprintf("a%d.%s", (off-16)/8, half((off-16)%8 == 4))
	}
	return ""
}
