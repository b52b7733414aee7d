package main

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "shim.h"
*/
import "C"

import (
	"os"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomptree/seccomptree/engine/kernel"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/tree"
)

// selfCheck verifies every generated program against its policy before
// it leaves the library (tree.Verify): a mismatch is an error, never a
// filter. SECCOMPTREE_SELFCHECK=0 in the environment turns it off, and
// SECCOMPTREE_SELFCHECK=full lifts the bound on argument samples.
var selfCheck = os.Getenv("SECCOMPTREE_SELFCHECK") != "0"

func init() {
	if os.Getenv("SECCOMPTREE_SELFCHECK") == "full" {
		tree.ArgSampleBudget = 0
	}
}

// filterState is what a context handle refers to.
type filterState struct {
	handle C.uintptr_t
	f      *policy.Filter
	// prog caches the generated program; nil when the policy changed
	// since it was generated.
	prog []bpf.RawInstruction
	// txn holds the snapshots of open transactions, innermost last.
	txn []*policy.Filter
	// broken is set if a rule the C side accepted on its own was then
	// refused by the engine (see drain): what the caller was told no
	// longer matches the filter, so no program is made from it.
	broken error
}

// The registry of live contexts. C callers may use the library from many
// threads, so every access holds mu; no export keeps it across a call back
// into C.
var (
	mu      apiLock
	filters = map[C.uintptr_t]*filterState{}
	lastID  C.uintptr_t
)

// handleStep spaces handles so that they look like aligned pointers to
// code that inspects them, and so that none is NULL.
const handleStep = 16

func register(f *policy.Filter) C.uintptr_t {
	lastID += handleStep
	st := &filterState{handle: lastID, f: f}
	filters[lastID] = st
	st.rearm()
	return lastID
}

// forget removes a context from the registry and its program from the
// C side.
func forget(ctx C.uintptr_t) {
	if st, ok := filters[ctx]; ok {
		// Nothing refers to its filter after this: its memory serves
		// the next contexts (a merged source has no tables left).
		st.f.Release()
	}
	delete(filters, ctx)
	C.st_cache_drop(ctx)
	C.st_fast_drop(ctx)
}

// state returns the state of a context that exists, usable or not, with
// the rules the C side queued for it applied; callers hold mu.
func state(ctx C.uintptr_t) (*filterState, bool) {
	st, ok := filters[ctx]
	if ok {
		st.drain()
	}
	return st, ok
}

// lookup returns the state of a live context; callers hold mu. A context
// whose ABIs were all removed is not usable, as in libseccomp.
func lookup(ctx C.uintptr_t) (*filterState, error) {
	st, ok := state(ctx)
	if !ok {
		return nil, policy.ErrInvalid
	}
	return st, st.f.Usable()
}

// changed drops the cached program, here and on the C side, after a
// change to the policy or its attributes, and tells the C side which
// rules it may now answer itself.
func (st *filterState) changed() {
	st.dropProgram()
	st.rearm()
}

// dropProgram forgets the cached program. The fast rule path, off while
// a program is cached (see publish), is back on.
func (st *filterState) dropProgram() {
	if st.prog != nil {
		st.prog = nil
		C.st_cache_drop(st.handle)
		C.st_fast_enable(st.handle, 1)
	}
}

// program returns the context's program, generating it if needed. A
// new program is also handed to the C side, with everything else
// seccomp_load needs, so that loading it takes no Go code: not on a
// thread about to be filtered, and not in a child forked without exec.
func (st *filterState) program() ([]bpf.RawInstruction, error) {
	if st.prog != nil {
		return st.prog, nil
	}
	if st.broken != nil {
		return nil, st.broken
	}
	generate := tree.GenerateVerified
	if !selfCheck {
		generate = tree.Generate
	}
	p, err := generate(st.f)
	generated = true
	if err != nil {
		return nil, err
	}
	if err := st.publish(p); err != nil {
		return nil, err
	}
	st.prog = p
	return p, nil
}

// publish copies prog and the load options into C memory and gives them
// to the C side, which owns them from then on.
func (st *filterState) publish(prog []bpf.RawInstruction) error {
	buf := encode(prog)
	mem := C.malloc(C.size_t(len(buf)))
	if mem == nil {
		return unix.ENOMEM
	}
	C.memcpy(mem, unsafe.Pointer(&buf[0]), C.size_t(len(buf)))
	a := st.f.Attrs
	var flags C.uint
	if a.TSync {
		flags |= flagTSync
	}
	if a.Log {
		flags |= flagLog
	}
	if a.SSB {
		flags |= flagSpecAllow
	}
	ld := C.struct_st_load{
		prog:     (*C.struct_sock_filter)(mem),
		len:      C.ushort(len(prog)),
		flags:    flags,
		nnp:      C.int(b2i(a.NNP)),
		rawrc:    C.int(b2i(a.SysRawRC)),
		tsync:    C.int(b2i(a.TSync)),
		listener: C.int(b2i(st.f.UsesNotify())),
		waitkill: C.int(b2i(a.WaitKill)),
	}
	if C.st_cache_put(st.handle, &ld) < 0 {
		return unix.ENOMEM
	}
	// seccomp_load installs a cached program without asking Go, so no
	// rule may be added behind Go's back while there is one.
	C.st_fast_enable(st.handle, 0)
	return nil
}

//export stgo_init
func stgo_init(def C.uint32_t) C.uintptr_t {
	f, err := policy.New(policy.Action(def))
	if err != nil {
		return 0
	}
	mu.Lock()
	defer mu.Unlock()
	return register(f)
}

//export stgo_reset
func stgo_reset(ctx C.uintptr_t, def C.uint32_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, ok := state(ctx)
	if !ok {
		return rc(policy.ErrInvalid)
	}
	if err := st.f.Reset(policy.Action(def)); err != nil {
		return rc(err)
	}
	st.txn = nil
	st.changed()
	return 0
}

//export stgo_release
func stgo_release(ctx C.uintptr_t) {
	mu.Lock()
	defer mu.Unlock()
	forget(ctx)
}

//export stgo_merge
func stgo_merge(dst, src C.uintptr_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	d, err := lookup(dst)
	if err != nil {
		return rc(err)
	}
	s, err := lookup(src)
	if err != nil || dst == src {
		return rc(policy.ErrInvalid)
	}
	if err := d.f.Merge(s.f); err != nil {
		return rc(err)
	}
	// A merged source is consumed, as libseccomp frees it.
	forget(src)
	d.changed()
	return 0
}

//export stgo_precompute
func stgo_precompute(ctx C.uintptr_t) C.int {
	return withProgram(ctx, func(*filterState, []bpf.RawInstruction) C.int { return 0 })
}

//export stgo_transaction_start
func stgo_transaction_start(ctx C.uintptr_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil {
		return rc(err)
	}
	st.txn = append(st.txn, st.f.Clone())
	return 0
}

//export stgo_transaction_reject
func stgo_transaction_reject(ctx C.uintptr_t) {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil || len(st.txn) == 0 {
		return
	}
	n := len(st.txn) - 1
	st.f, st.txn = st.txn[n], st.txn[:n]
	st.changed()
}

//export stgo_transaction_commit
func stgo_transaction_commit(ctx C.uintptr_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil {
		return rc(err)
	}
	// Committing with no transaction open is not an error in libseccomp.
	if len(st.txn) > 0 {
		st.txn = st.txn[:len(st.txn)-1]
	}
	return 0
}

//export stgo_check_ctx
func stgo_check_ctx(ctx C.uintptr_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	_, err := lookup(ctx)
	return rc(err)
}

//export stgo_api_get
func stgo_api_get() C.uint { return C.uint(kernel.Level()) }

//export stgo_api_set
func stgo_api_set(level C.uint) C.int {
	if !kernel.Set(uint(level)) {
		return rc(policy.ErrInvalid)
	}
	return 0
}

//export stgo_reset_global
func stgo_reset_global() C.int {
	kernel.Reprobe()
	return 0
}

func init() {
	policy.Available = func(a policy.Action) bool { return kernel.ActionAvailable(uint32(a)) }
}
