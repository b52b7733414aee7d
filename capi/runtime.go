package main

/*
#include <stdint.h>
#include "shim.h"
*/
import "C"

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The library lives inside processes it did not write, and they fork
// without exec, load filters that deny most syscalls, and block or
// handle signals as they please. The runtime is therefore held still:
//
//   - No garbage collection runs on its own. A background collection in
//     flight when the host forks leaves the child's copy of the runtime
//     waiting for workers that do not exist there, and one started on a
//     thread under a strict filter dies on the first syscall the filter
//     denies. Garbage is collected synchronously, inside a library call
//     (see maybeCollect), so the heap stays bounded.
//   - GOMAXPROCS is fixed. The runtime would otherwise re-read the
//     cgroup limits from a timer, a syscall pattern no filter expects.
//     It is larger than the number of threads a host plausibly calls us
//     from, because a caller that returns to C keeps a P for up to 10 ms
//     and, in a forked child, nothing takes those Ps back: a child needs
//     one to spare.
//
// The C side (shim.c) serialises every call, so more Ps never means
// more parallel Go code.
const procs = 8

// collectEvery is how many bytes the library may allocate between two
// collections. It bounds the garbage a long-running host carries; a host
// building a handful of filters never pays for a collection, and one
// building many reuses a heap small enough to stay in cache (8 MiB made
// Docker's profile build about twice as slow as 2 MiB on this machine).
const collectEvery = 2 << 20

func init() {
	debug.SetGCPercent(-1)
	runtime.GOMAXPROCS(procs)
}

// apiLock guards the registry of contexts. Taking it also pins the
// goroutine to its thread: a thread the runtime starts from a pinned
// goroutine is cloned by the runtime's template thread, not by the
// caller's thread, which may carry a seccomp filter that the clone would
// inherit.
type apiLock struct{ m sync.Mutex }

// Lock pins the calling goroutine, takes the lock and forgets the
// contexts that seccomp_release queued on the C side.
func (l *apiLock) Lock() {
	runtime.LockOSThread()
	l.m.Lock()
	drainReleased()
}

// Unlock collects garbage if enough has accumulated, then releases the
// lock and the thread.
func (l *apiLock) Unlock() {
	maybeCollect()
	l.m.Unlock()
	runtime.UnlockOSThread()
}

var (
	allocs      = []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	collectedAt uint64

	// Reading the allocation counter costs more than most calls, so it
	// is read after calls that generated a program (the big
	// allocations) and otherwise every checkEvery calls, which allocate
	// a few hundred bytes each.
	callsSinceCheck int
	generated       bool
)

const checkEvery = 64

// maybeCollect runs a full collection once collectEvery bytes were
// allocated since the last one, and returns the freed memory to the
// kernel lazily (see below).
// It does nothing in a child forked without exec, where the runtime's
// other threads do not exist, nor on a thread that installed a filter
// through us: the collection needs futex, mmap, madvise and friends, and
// threads, which would inherit the filter. The next call from another
// thread collects instead. During and just after a collection the
// runtime's threads run Go code on Go stacks, so the C side has host
// signal handlers use the signal stack for that time (st_collect_begin).
func maybeCollect() {
	callsSinceCheck++
	if !generated && callsSinceCheck < checkEvery {
		return
	}
	callsSinceCheck, generated = 0, false
	metrics.Read(allocs)
	n := allocs[0].Value.Uint64()
	if n-collectedAt < collectEvery || C.st_collect_begin() == 0 {
		return
	}
	collectedAt = n
	// FreeOSMemory collects in the runtime's blocking mode: marking,
	// sweeping and freeing its work buffers all happen before it
	// returns. runtime.GC would leave the background sweeper to free
	// those buffers, taking the heap lock on a runtime thread, which a
	// host may fork at any time (a child then waits for that lock
	// forever). The pages it hands back are given with MADV_FREE
	// (madvdontneed=0 in the Makefile), which the next filters reuse
	// without faulting them in again.
	debug.FreeOSMemory()
	C.st_collect_end()
}

// drainReleased forgets the contexts that seccomp_release queued. The
// release itself stays in C so that it needs no syscall, which lets a
// thread under a strict filter release its contexts; the C lock held
// around every call into Go protects the queue.
func drainReleased() {
	n := int(C.st_nreleased)
	if n == 0 {
		return
	}
	for _, h := range C.st_released[:n] {
		forget(h)
	}
	C.st_nreleased = 0
}

// stgo_ready runs once, from the library's constructor: calling it waits
// until the runtime and this package are initialised (see
// restore_after_go in shim.c), and it hands the C side the native
// resolver's table before any host thread can ask.
//
//export stgo_ready
func stgo_ready() { publishNames() }
