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
func placements(t *Table, nr int32, conds []Cond, exact bool) ([]placement, error) {
	n, err := translate(t, nr)
	if err != nil {
		return nil, err
	}
	if n == SyscallSkip {
		return []placement{{n, conds}}, nil
	}
	r, mux, err := syscalls.Demultiplex(t.Arch, n)
	switch {
	case mux && exact && len(conds) > 0:
		// The multiplexed form cannot keep a comparison on the
		// first argument, so the rule cannot be had exactly.
		return nil, ErrInvalid
	case mux && err != nil:
		// libseccomp returns its resolvers' -1 here, which its
		// API reports as EFAULT.
		return nil, ErrFault
	case mux:
		muxed := []Cond{{Arg: 0, Op: OpEQ, Mask: ^uint64(0), Datum: r.Call}}
		for _, c := range conds {
			if c.Arg != 0 {
				muxed = append(muxed, c)
			}
		}
		return []placement{{r.Mux, muxed}, {r.Direct, conds}}, nil
	case n < SyscallSkip && exact:
		return nil, ErrDomain
	case n < SyscallSkip && t.Arch.Multiplexed:
		// Those ABIs drop a rule they cannot place; others keep
		// it as an entry no program ever tests. Either way it
		// decides nothing.
		return nil, nil
	}
	return []placement{{n, conds}}, nil
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
