package sim

import "golang.org/x/net/bpf"

// retAllow is SECCOMP_RET_ALLOW.
const retAllow = 0x7fff0000

// Cacheable reports whether the kernel's seccomp action cache (Linux 5.11
// and later) would let syscall nr of the given audit arch skip prog
// entirely.
//
// When a filter is attached, the kernel runs it once per syscall number
// with nothing but seccomp_data.nr and .arch known, over a deliberately
// small instruction set: word loads of those two fields, JA, the
// JEQ/JGE/JGT/JSET comparisons against a constant, AND with a constant, and
// a constant RET. A syscall is cached only when that run ends in RET ALLOW;
// anything else on the path (a load of an argument or of the instruction
// pointer, a register operand, scratch memory, RET A) gives up, because the
// outcome could depend on data the emulation does not have. This function
// repeats that analysis so a generator can be judged by how many of its
// allowed syscalls never reach the BPF interpreter at all.
//
// nr and arch are 32-bit fields at fixed offsets, so bigEndian does not
// change the answer; it is accepted to match Program.Run.
func Cacheable(prog []bpf.RawInstruction, arch uint32, nr uint32, bigEndian bool) bool {
	_ = bigEndian
	var reg uint32 // the kernel starts its emulated accumulator at zero
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.Op {
		case ldAbsW:
			switch in.K {
			case 0:
				reg = nr
			case 4:
				reg = arch
			default:
				return false
			}
		case retK:
			return in.K == retAllow
		case ja:
			pc += int(in.K)
		case classJMP | opJeq, classJMP | opJge, classJMP | opJgt, classJMP | opJset:
			if jumpTaken(in.Op&opMask, reg, in.K) {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case classALU | opAnd:
			reg &= in.K
		default:
			return false
		}
	}
	// Off the end: the kernel would never have accepted the program.
	return false
}
