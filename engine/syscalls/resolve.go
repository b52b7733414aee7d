package syscalls

import "github.com/seccomptree/seccomptree/engine/arch"

// IsSocketPseudo reports whether nr is in libseccomp's block of pseudo
// numbers for socketcall(2) operations (-100 to -120).
func IsSocketPseudo(nr int32) bool { return nr <= -100 && nr >= -120 }

// IsIPCPseudo reports whether nr is in libseccomp's block of pseudo
// numbers for ipc(2) operations (-200 to -224).
func IsIPCPseudo(nr int32) bool { return nr <= -200 && nr >= -224 }

// isMuxPseudo reports whether nr stands for a call an ABI may multiplex.
func isMuxPseudo(nr int32) bool { return IsSocketPseudo(nr) || IsIPCPseudo(nr) }

// Resolve answers as libseccomp's seccomp_syscall_resolve_name_arch does.
// It is Number, except on ABIs that can multiplex socket and IPC calls
// (arch.Arch.Multiplexed): there those calls always resolve to their
// pseudo numbers, even where a direct syscall exists too, so that a rule
// can later be placed on both entry points.
func Resolve(a *arch.Arch, name string) (int32, bool) {
	if a != nil && a.Multiplexed {
		if p, ok := Pseudo(name); ok && isMuxPseudo(p) {
			return p, true
		}
	}
	return Number(a, name)
}

// ResolveNum answers as libseccomp's seccomp_syscall_resolve_num_arch
// does. It is Name, with two leniencies libseccomp has: multiplexed
// pseudo numbers resolve on multiplexed ABIs, and x32 and MIPS numbers are
// also accepted without their ABI's base (x32 open as 2 as well as
// 0x40000002, o32 read as 3 as well as 4003).
func ResolveNum(a *arch.Arch, nr int32) (string, bool) {
	if a == nil {
		return "", false
	}
	if a.Multiplexed && isMuxPseudo(nr) {
		if rs := byPseudo[nr]; len(rs) > 0 {
			return rs[0].name, true
		}
		return "", false
	}
	if nr >= 0 {
		if a.IsX32Sibling() {
			nr |= arch.X32SyscallBit
		} else if base := mipsBase(a); nr < base {
			nr += base
		}
	}
	return Name(a, nr)
}

// mipsBase is the offset of a MIPS ABI's syscall numbers, 0 elsewhere.
func mipsBase(a *arch.Arch) int32 {
	switch a.Name {
	case "mips", "mipsel":
		return 4000
	case "mips64", "mipsel64":
		return 5000
	case "mips64n32", "mipsel64n32":
		return 6000
	}
	return 0
}
