package main

// #include <stdint.h>
// #include <stdlib.h>
import "C"

import (
	"sync"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/kernel"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/tree"
)

// filterState is what a context handle refers to.
type filterState struct {
	f *policy.Filter
	// prog caches the generated program; nil when the policy changed
	// since it was generated.
	prog []bpf.RawInstruction
	// txn holds the snapshots of open transactions, innermost last.
	txn []*policy.Filter
}

// The registry of live contexts. C callers may use the library from many
// threads, so every access holds mu; no export keeps it across a call back
// into C.
var (
	mu      sync.Mutex
	filters = map[C.uintptr_t]*filterState{}
	lastID  C.uintptr_t
)

// handleStep spaces handles so that they look like aligned pointers to
// code that inspects them, and so that none is NULL.
const handleStep = 16

func register(f *policy.Filter) C.uintptr_t {
	lastID += handleStep
	filters[lastID] = &filterState{f: f}
	return lastID
}

// lookup returns the state of a live context; callers hold mu. A context
// whose ABIs were all removed is not usable, as in libseccomp.
func lookup(ctx C.uintptr_t) (*filterState, error) {
	st, ok := filters[ctx]
	if !ok {
		return nil, policy.ErrInvalid
	}
	return st, st.f.Usable()
}

// changed drops the cached program after a change to the policy.
func (st *filterState) changed() { st.prog = nil }

// program returns the context's program, generating it if needed.
func (st *filterState) program() ([]bpf.RawInstruction, error) {
	if st.prog == nil {
		p, err := tree.Generate(st.f)
		if err != nil {
			return nil, err
		}
		st.prog = p
	}
	return st.prog, nil
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
	st, ok := filters[ctx]
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
	delete(filters, ctx)
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
	delete(filters, src)
	d.changed()
	return 0
}

//export stgo_precompute
func stgo_precompute(ctx C.uintptr_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil {
		return rc(err)
	}
	_, err = st.program()
	return rc(err)
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
