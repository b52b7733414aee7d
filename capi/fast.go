package main

/*
#include <stdint.h>
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// The Go side of fast.c: the native resolver's table, and the numbers on
// which a rule can be answered in C.

// publishNames gives the C side every name the native resolver knows,
// with its answer, so that resolving a name needs no call into Go.
func publishNames() {
	host := arch.Host()
	var list []C.struct_st_name
	for _, name := range syscalls.Names() {
		nr, ok := syscalls.Resolve(host, name)
		if !ok {
			continue
		}
		list = append(list, C.struct_st_name{name: C.CString(name), nr: C.int(nr)})
	}
	if len(list) == 0 {
		return
	}
	// The C side keeps the strings; a failure leaves every name to Go.
	C.st_names_publish(&list[0], C.uint(len(list)))
}

const fastWords = C.ST_FAST_SLOTS / 64

// slot is C's st_fast_slot: where number nr sits in the fast path's
// bit set, or -1.
func slot(nr int32) int {
	switch {
	case nr >= 0 && nr < C.ST_FAST_NR:
		return int(nr)
	case nr < -C.ST_FAST_PSEUDO_BASE && nr >= -C.ST_FAST_PSEUDO_BASE-C.ST_FAST_PSEUDO:
		return int(C.ST_FAST_NR - C.ST_FAST_PSEUDO_BASE - 1 - nr)
	}
	return -1
}

// plainNumbers is the set of slots whose host number a rule lands on as
// given: no multiplexer takes part.
var plainNumbers = sync.OnceValue(func() (set [fastWords]uint64) {
	host := arch.Host()
	mark := func(nr int32) {
		if _, mux, _ := syscalls.Demultiplex(host, nr); !mux {
			i := slot(nr)
			set[i/64] |= 1 << (i % 64)
		}
	}
	for nr := range int32(C.ST_FAST_NR) {
		mark(nr)
	}
	for i := range int32(C.ST_FAST_PSEUDO) {
		mark(-C.ST_FAST_PSEUDO_BASE - 1 - i)
	}
	return set
})

// rearm tells the C side which numbers of st's filter are open to the
// fast path: all of them when the filter has exactly the host's ABI,
// less those with an entry already (a rule or a priority), whose rules
// the C side has not seen. Any other
// filter gets none. Call it after any change other than a rule or a
// priority on one syscall (those close their number, see closeNr).
func (st *filterState) rearm() {
	if len(st.f.Tables) != 1 || st.f.Tables[0].Arch != arch.Host() {
		C.st_fast_set(st.handle, C.uint32_t(st.f.Attrs.Default), nil)
		return
	}
	open := plainNumbers()
	for nr := range st.f.Tables[0].All() {
		if i := slot(nr); i >= 0 {
			open[i/64] &^= 1 << (i % 64)
		}
	}
	C.st_fast_set(st.handle, C.uint32_t(st.f.Attrs.Default), (*C.uint64_t)(unsafe.Pointer(&open[0])))
}

// closeNr removes nr from the fast path of st: it now has an entry.
func (st *filterState) closeNr(nr int32) {
	C.st_fast_clear(st.handle, C.int32_t(nr))
}

// drain gives the engine the rules the C side answered since the last
// call on st, in the order they were made. They were checked to succeed;
// should one fail all the same, the context is broken for good and
// no program will be made from it (st.broken).
func (st *filterState) drain() {
	// Most calls find nothing queued anywhere: skip the call into C.
	if C.st_fast_queued == 0 {
		return
	}
	var n C.uint
	q := C.st_fast_take(st.handle, &n)
	if q == nil {
		return
	}
	defer C.free(unsafe.Pointer(q))
	st.dropProgram()
	st.f.Reserve(int(n))
	for _, p := range unsafe.Slice(q, int(n)) {
		var conds []policy.Cond
		for _, c := range p.cmp[:p.ncmp] {
			cond, err := policy.NewCond(uint(c.arg), policy.Op(c.op), uint64(c.datum_a), uint64(c.datum_b))
			if err != nil && st.broken == nil {
				st.broken = fmt.Errorf("comparison %+v, accepted without the engine, is invalid: %v", c, err)
			}
			conds = append(conds, cond)
		}
		err := st.f.AddRule(policy.Action(p.action), int32(p.nr), conds, p.exact != 0)
		if err != nil && st.broken == nil {
			st.broken = fmt.Errorf("rule %#x on syscall %d, accepted without the engine, was refused: %v",
				uint32(p.action), int32(p.nr), err)
		}
	}
}
