package syscalls

import "github.com/seccomptree/seccomptree/engine/arch"

// Multiplexer returns the multiplexing syscall ("socketcall" or "ipc")
// that carries pseudo-syscall nr on ABI a, if any.
func Multiplexer(a *arch.Arch, nr int32) (string, bool) {
	switch {
	case !a.Multiplexed:
		return "", false
	case IsSocketPseudo(nr):
		return "socketcall", true
	case IsIPCPseudo(nr):
		return "ipc", true
	}
	return "", false
}

// Rewrite maps a pseudo-syscall number of a socket or IPC call to the
// number of the multiplexer that carries it on a, as
// seccomp_syscall_resolve_name_rewrite does; other numbers pass through.
func Rewrite(a *arch.Arch, nr int32) int32 {
	if name, ok := Multiplexer(a, nr); ok {
		if m, ok := Number(a, name); ok && m >= 0 {
			return m
		}
	}
	return nr
}
