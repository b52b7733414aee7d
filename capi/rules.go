package main

/*
#include <seccomp.h>
*/
import "C"

import (
	"unsafe"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
)

//export stgo_rule_add
func stgo_rule_add(ctx C.uintptr_t, action C.uint32_t, syscall C.int, n C.uint, arr *C.struct_scmp_arg_cmp, exact C.int) C.int {
	if n > policy.MaxArgs || (n > 0 && arr == nil) {
		return rc(policy.ErrInvalid)
	}
	// Copy the C array before taking the lock: it is the caller's memory
	// and may be on its stack.
	var conds []policy.Cond
	if n > 0 {
		for _, c := range unsafe.Slice(arr, int(n)) {
			cond, err := policy.NewCond(uint(c.arg), policy.Op(c.op), uint64(c.datum_a), uint64(c.datum_b))
			if err != nil {
				// Checked after the context, as libseccomp does:
				// defer the verdict until then.
				conds = append(conds, policy.Cond{Arg: uint(c.arg), Op: 0})
				continue
			}
			conds = append(conds, cond)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil {
		return rc(err)
	}
	err = st.f.AddRule(policy.Action(action), int32(syscall), conds, exact != 0)
	st.ruleChanged(int32(syscall))
	return rc(err)
}

//export stgo_syscall_priority
func stgo_syscall_priority(ctx C.uintptr_t, syscall C.int, pri C.uint8_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil {
		return rc(err)
	}
	err = st.f.SetPriority(int32(syscall), uint8(pri))
	st.ruleChanged(int32(syscall))
	return rc(err)
}

// ruleChanged follows a rule or a priority on host syscall nr, whether
// or not the engine took it. Only nr's entry can have changed, except
// where a multiplexer shares the rule: then every number is rechecked.
func (st *filterState) ruleChanged(nr int32) {
	st.dropProgram()
	if arch.Host().Multiplexed {
		st.rearm()
		return
	}
	st.closeNr(nr)
}
