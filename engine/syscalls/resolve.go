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
	return resolveRow(a, rowOf(name))
}

// resolveRow is Resolve for the row of a name (nil for an unknown one).
func resolveRow(a *arch.Arch, r *row) (int32, bool) {
	if r == nil {
		return 0, false
	}
	if a != nil && a.Multiplexed && r.pseudo != 0 && isMuxPseudo(r.pseudo) {
		return r.pseudo, true
	}
	c, ok := col(a)
	if !ok {
		return 0, false
	}
	return number(c, r)
}

// ResolveNum answers as libseccomp's seccomp_syscall_resolve_num_arch
// does. It is Name, with two leniencies libseccomp has: multiplexed
// pseudo numbers resolve on multiplexed ABIs, and x32 and MIPS numbers are
// also accepted without their ABI's base (x32 open as 2 as well as
// 0x40000002, o32 read as 3 as well as 4003).
func ResolveNum(a *arch.Arch, nr int32) (string, bool) {
	if r := resolveNumRow(a, nr); r != nil {
		return r.name, true
	}
	return "", false
}

// resolveNumRow is ResolveNum returning the name's row, or nil.
func resolveNumRow(a *arch.Arch, nr int32) *row {
	if a == nil {
		return nil
	}
	if a.Multiplexed && isMuxPseudo(nr) {
		if rs := byPseudo[nr]; len(rs) > 0 {
			return rs[0]
		}
		return nil
	}
	if nr >= 0 {
		if a.IsX32Sibling() {
			nr |= arch.X32SyscallBit
		} else if base := mipsBase(a); nr < base {
			nr += base
		}
	}
	c, ok := col(a)
	if !ok {
		return nil
	}
	return nameRow(c, nr)
}

// Translate is Resolve(to, name) for the name ResolveNum(from, nr) gives:
// the number on ABI to of the call numbered nr on ABI from. It skips the
// name, which rule building across ABIs would otherwise look up once per
// ABI and rule.
func Translate(from, to *arch.Arch, nr int32) (int32, bool) {
	r := resolveNumRow(from, nr)
	if r == nil {
		return 0, false
	}
	return resolveRow(to, r)
}

// Base is where ABI a's syscall numbers start: arch.X32SyscallBit on
// x32, 4000, 5000 or 6000 on MIPS, 0 elsewhere.
func Base(a *arch.Arch) int32 {
	switch {
	case a == nil:
		return 0
	case a.IsX32Sibling():
		return arch.X32SyscallBit
	}
	return mipsBase(a)
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
