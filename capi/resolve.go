package main

// #include <stdint.h>
// #include <stdlib.h>
import "C"

import (
	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// nrError is __NR_SCMP_ERROR, the resolvers' "no such syscall".
const nrError = -1

//export stgo_syscall_resolve_num_arch
func stgo_syscall_resolve_num_arch(token C.uint32_t, num C.int) *C.char {
	a, ok := arch.ByToken(arch.Token(token))
	if !ok {
		return nil
	}
	name, ok := syscalls.ResolveNum(a, int32(num))
	if !ok {
		return nil
	}
	return cstring(name)
}

//export stgo_syscall_resolve_name_arch
func stgo_syscall_resolve_name_arch(token C.uint32_t, name *C.char, rewrite C.int) C.int {
	a, ok := arch.ByToken(arch.Token(token))
	if name == nil || !ok {
		return nrError
	}
	nr, ok := syscalls.Resolve(a, C.GoString(name))
	if !ok {
		return nrError
	}
	if rewrite != 0 {
		nr = syscalls.Rewrite(a, nr)
	}
	return C.int(nr)
}
