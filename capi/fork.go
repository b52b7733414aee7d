package main

/*
#include <stdint.h>
#include "shim.h"
*/
import "C"

import (
	"runtime"
	"strings"
	"unsafe"

	"github.com/seccomptree/seccomptree/capi/rtlayout"
)

// fork.c holds the runtime's scheduler lock across fork() (see there and
// README.md, "fork() without exec"). That needs two addresses inside the
// runtime's private scheduler state and the runtime's own lock and unlock,
// reached by go:linkname; the Makefile links with -checklinkname=0 for
// them. The offsets are those of one runtime release (rtlayout, checked
// against the runtime's debug information by its test); with any other
// release the pointers stay NULL and fork.c does nothing.

//go:linkname rtSched runtime.sched
var rtSched [rtlayout.SchedNpidle/8 + 1]uintptr

//go:linkname rtLock2 runtime.lock2
func rtLock2(l *uintptr)

//go:linkname rtUnlock2 runtime.unlock2
func rtUnlock2(l *uintptr)

func init() {
	v := runtime.Version()
	if v != rtlayout.Runtime && !strings.HasPrefix(v, rtlayout.Runtime+".") {
		return
	}
	base := unsafe.Pointer(&rtSched)
	C.st_rt_npidle = (*C.int32_t)(unsafe.Add(base, rtlayout.SchedNpidle))
	C.st_rt_schedlock = (*C.uintptr_t)(unsafe.Add(base, rtlayout.SchedLock))
}

// stgo_fork_kick takes and releases the scheduler lock the runtime's way,
// which wakes a runtime thread that went to sleep waiting for it while
// fork.c held it (fork.c can release it, but not wake anyone).
//
//export stgo_fork_kick
func stgo_fork_kick() {
	l := (*uintptr)(unsafe.Pointer(C.st_rt_schedlock))
	rtLock2(l)
	rtUnlock2(l)
}
