package syscalls

import "github.com/seccomptree/seccomptree/engine/arch"

// Pseudo-syscall ranges libseccomp reserves for calls that multiplexing
// ABIs also route through socketcall(2) and ipc(2).
const (
	socketFirst, socketLast = -120, -100
	ipcFirst, ipcLast       = -224, -200
)

// Multiplexer returns the multiplexing syscall ("socketcall" or "ipc")
// that carries pseudo-syscall nr on ABI a, if any.
func Multiplexer(a *arch.Arch, nr int32) (string, bool) {
	if !a.Multiplexed {
		return "", false
	}
	switch {
	case nr >= socketFirst && nr <= socketLast:
		return "socketcall", true
	case nr >= ipcFirst && nr <= ipcLast:
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
