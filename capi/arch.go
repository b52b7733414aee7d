package main

// #include <stdint.h>
// #include <stdlib.h>
import "C"

import (
	"unsafe"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
)

// abi resolves a token from the API; SCMP_ARCH_NATIVE means the host.
func abi(token C.uint32_t) (*arch.Arch, error) {
	a, ok := arch.ByToken(arch.Token(token))
	if !ok {
		return nil, policy.ErrInvalid
	}
	return a, nil
}

//export stgo_arch_native
func stgo_arch_native() C.uint32_t { return C.uint32_t(arch.Host().Token) }

//export stgo_arch_resolve_name
func stgo_arch_resolve_name(name *C.char) C.uint32_t {
	if name == nil {
		return 0
	}
	a, ok := arch.ByName(C.GoString(name))
	if !ok {
		return 0
	}
	return C.uint32_t(a.Token)
}

//export stgo_arch_exist
func stgo_arch_exist(ctx C.uintptr_t, token C.uint32_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	// Asking about an ABI needs a context, not a usable one: a context
	// whose ABIs were all removed still answers.
	st, ok := state(ctx)
	if !ok {
		return rc(policy.ErrInvalid)
	}
	a, err := abi(token)
	if err != nil {
		return rc(err)
	}
	if st.f.Table(a) == nil {
		return rc(policy.ErrExist)
	}
	return 0
}

// archChange applies change to the ABI token names in ctx. Adding an ABI
// to a context whose ABIs were all removed is how such a context becomes
// usable again, so only the context's existence is checked.
func archChange(ctx C.uintptr_t, token C.uint32_t, change func(*policy.Filter, *arch.Arch) error) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, ok := state(ctx)
	if !ok {
		return rc(policy.ErrInvalid)
	}
	a, err := abi(token)
	if err != nil {
		return rc(err)
	}
	if err := change(st.f, a); err != nil {
		return rc(err)
	}
	st.changed()
	return 0
}

//export stgo_arch_add
func stgo_arch_add(ctx C.uintptr_t, token C.uint32_t) C.int {
	return archChange(ctx, token, (*policy.Filter).AddArch)
}

//export stgo_arch_remove
func stgo_arch_remove(ctx C.uintptr_t, token C.uint32_t) C.int {
	return archChange(ctx, token, (*policy.Filter).RemoveArch)
}

// cstring returns s in malloc'd memory, which the caller frees with free(3).
func cstring(s string) *C.char {
	return (*C.char)(unsafe.Pointer(C.CString(s)))
}
