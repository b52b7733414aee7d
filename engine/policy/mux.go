package policy

import "github.com/seccomptree/seccomptree/engine/syscalls"

// A placement is one syscall entry a rule lands on, with the comparisons
// it carries there.
type placement struct {
	nr    int32
	conds []Cond
}

// placements says where a rule on host syscall nr goes in table t.
//
// Mostly that is the ABI's number for the same name. On ABIs that
// multiplex socket and SysV IPC calls (arch.Arch.Multiplexed) such a call
// can also arrive through socketcall(2) or ipc(2), and a rule on the
// direct syscall alone would let that form bypass it; so the rule lands
// twice, as libseccomp places it: on the multiplexer with its first
// argument pinned to the call's number, replacing any comparison the
// rule had on that argument, and on the direct syscall as given.
//
// The placements are ps[:n]; an array rather than a slice keeps the
// common single placement off the heap.
func placements(t *Table, nr int32, conds []Cond, exact bool) (ps [2]placement, n int, err error) {
	num, err := translate(t, nr)
	if err != nil {
		return ps, 0, err
	}
	ps[0] = placement{num, conds}
	if num == SyscallSkip {
		return ps, 1, nil
	}
	if !t.Arch.Multiplexed {
		// Nothing to demultiplex (syscalls.Demultiplex would say so).
		if num < SyscallSkip && exact {
			return ps, 0, ErrDomain
		}
		return ps, 1, nil
	}
	r, mux, err := syscalls.Demultiplex(t.Arch, num)
	switch {
	case mux && exact && len(conds) > 0:
		// The multiplexed form cannot keep a comparison on the
		// first argument, so the rule cannot be had exactly.
		return ps, 0, ErrInvalid
	case mux && err != nil:
		// libseccomp returns its resolvers' -1 here, which its
		// API reports as EFAULT.
		return ps, 0, ErrFault
	case mux:
		muxed := []Cond{{Arg: 0, Op: OpEQ, Mask: ^uint64(0), Datum: r.Call}}
		for _, c := range conds {
			if c.Arg != 0 {
				muxed = append(muxed, c)
			}
		}
		ps[0], ps[1] = placement{r.Mux, muxed}, placement{r.Direct, conds}
		return ps, 2, nil
	case num < SyscallSkip && exact:
		return ps, 0, ErrDomain
	case num < SyscallSkip:
		// Multiplexing ABIs drop a rule they cannot place; others
		// keep it as an entry no program ever tests. Either way it
		// decides nothing.
		return ps, 0, nil
	}
	return ps, 1, nil
}

// priorityTarget is the entry of table t that a priority on host
// syscall nr applies to; ok is false when the name has no syscall there.
// A socket or IPC pseudo number (the ABI multiplexes that call) gives its
// priority to the multiplexer, as libseccomp does.
func priorityTarget(t *Table, nr int32) (target int32, ok bool, err error) {
	n, err := translate(t, nr)
	if err != nil || n >= SyscallSkip {
		return n, err == nil, err
	}
	if m := syscalls.Rewrite(t.Arch, n); m >= 0 {
		return m, true, nil
	}
	return 0, false, nil
}
