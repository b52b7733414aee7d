package syscalls

import (
	"errors"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// Route is how a socket or SysV IPC call reaches the kernel on an ABI
// that multiplexes them: through socketcall(2) or ipc(2), whose first
// argument selects the call, and usually also as a syscall of its own.
type Route struct {
	// Name is the call's name ("socket", "shmget").
	Name string
	// Mux is the number of socketcall or ipc on the ABI.
	Mux int32
	// Call is the multiplexer's first argument for this call: SYS_SOCKET,
	// SHMGET and so on, as <linux/net.h> and <linux/ipc.h> number them.
	Call uint64
	// Direct is the call's own number on the ABI, or its pseudo number
	// where the ABI has none (a rule there never matches, as in
	// libseccomp).
	Direct int32
}

// ErrNoCall reports a number in one of libseccomp's multiplexed pseudo
// blocks that stands for no call (-100, -121, -205 and others).
var ErrNoCall = errors.New("syscalls: pseudo number names no multiplexed call")

// Demultiplex reports how ABI a carries the call numbered nr when it is a
// socket or SysV IPC call a multiplexes: nr is a pseudo number of the
// socket (-101 to -120) or IPC (-201 to -224) blocks, or a positive number
// of a whose name is one of those calls. ok is false for every other
// number and on ABIs that do not multiplex.
func Demultiplex(a *arch.Arch, nr int32) (r Route, ok bool, err error) {
	if a == nil || !a.Multiplexed {
		return Route{}, false, nil
	}
	pseudo := nr
	switch {
	case isMuxPseudo(nr):
		rs := byPseudo[nr]
		if len(rs) == 0 {
			return Route{}, true, ErrNoCall
		}
		r.Name = rs[0].name
	case nr > 0:
		// ResolveNum, then Pseudo of the name, by row.
		row := resolveNumRow(a, nr)
		if row == nil || !isMuxPseudo(row.pseudo) {
			return Route{}, false, nil
		}
		r.Name, pseudo = row.name, row.pseudo
	default:
		return Route{}, false, nil
	}
	// Each block counts from its base: -101 is SYS_SOCKET (1), -223 is
	// SHMGET (23).
	mux, base := socketcallRow, int32(100)
	if IsIPCPseudo(pseudo) {
		mux, base = ipcRow, 200
	}
	c, found := col(a)
	if !found {
		return Route{}, false, nil
	}
	m, found := number(c, mux)
	if !found || m < 0 {
		return Route{}, false, nil
	}
	r.Mux, r.Call = m, uint64(-pseudo%base)
	if nr > 0 {
		r.Direct = nr
	} else if r.Direct, found = Number(a, r.Name); !found {
		r.Direct = pseudo
	}
	return r, true, nil
}
