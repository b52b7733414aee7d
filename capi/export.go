package main

/*
#include <stddef.h>
#include <string.h>
#include "shim.h"
*/
import "C"

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomptree/seccomptree/engine/policy"
)

// sockFilterSize is sizeof(struct sock_filter): u16 code, u8 jt, u8 jf, u32 k.
const sockFilterSize = 8

// encode lays prog out as an array of struct sock_filter in host order.
func encode(prog []bpf.RawInstruction) []byte {
	out := make([]byte, len(prog)*sockFilterSize)
	for i, ins := range prog {
		b := out[i*sockFilterSize:]
		binary.NativeEndian.PutUint16(b[0:], ins.Op)
		b[2] = ins.Jt
		b[3] = ins.Jf
		binary.NativeEndian.PutUint32(b[4:], ins.K)
	}
	return out
}

//export stgo_export_bpf
func stgo_export_bpf(ctx C.uintptr_t, fd C.int) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil {
		return rc(err)
	}
	prog, err := st.program()
	if err != nil {
		return rc(err)
	}
	buf := encode(prog)
	for len(buf) > 0 {
		n, err := unix.Write(int(fd), buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return rcSys(st.f.Attrs.SysRawRC, err)
		}
		buf = buf[n:]
	}
	return 0
}

//export stgo_export_bpf_mem
func stgo_export_bpf_mem(ctx C.uintptr_t, out unsafe.Pointer, size *C.size_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil || size == nil {
		return rc(policy.ErrInvalid)
	}
	prog, err := st.program()
	if err != nil {
		return rc(err)
	}
	buf := encode(prog)
	var ret C.int
	if out != nil {
		if C.size_t(len(buf)) > *size {
			ret = rc(unix.ERANGE)
		} else {
			C.memcpy(out, unsafe.Pointer(&buf[0]), C.size_t(len(buf)))
		}
	}
	*size = C.size_t(len(buf))
	return ret
}

//export stgo_export_pfc
func stgo_export_pfc(ctx C.uintptr_t, fd C.int) C.int {
	mu.Lock()
	defer mu.Unlock()
	if _, err := lookup(ctx); err != nil {
		return rc(err)
	}
	// Not written yet: say so rather than emit something misleading.
	return rc(policy.ErrUnsupported)
}

// Flags for seccomp(SECCOMP_SET_MODE_FILTER).
const (
	flagTSync      = 1 << 0
	flagLog        = 1 << 1
	flagSpecAllow  = 1 << 2
	flagTSyncESRCH = 1 << 4
)

// stgo_load_prepare fills ld with everything the C loader needs: the
// program in malloc'd memory (the caller frees it) and the load options.
// The kernel calls themselves happen in C, so that once the filter is on
// the calling thread no Go code runs there.
//
//export stgo_load_prepare
func stgo_load_prepare(ctx C.uintptr_t, ld *C.struct_st_load) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil {
		return rc(err)
	}
	prog, err := st.program()
	if err != nil {
		return rc(err)
	}
	buf := encode(prog)
	mem := C.malloc(C.size_t(len(buf)))
	if mem == nil {
		return rc(unix.ENOMEM)
	}
	C.memcpy(mem, unsafe.Pointer(&buf[0]), C.size_t(len(buf)))
	a := st.f.Attrs
	var flags C.uint
	if a.TSync {
		flags |= flagTSync | flagTSyncESRCH
	}
	if a.Log {
		flags |= flagLog
	}
	if a.SSB {
		flags |= flagSpecAllow
	}
	*ld = C.struct_st_load{
		prog:     (*C.struct_sock_filter)(mem),
		len:      C.ushort(len(prog)),
		flags:    flags,
		nnp:      C.int(b2i(a.NNP)),
		rawrc:    C.int(b2i(a.SysRawRC)),
		tsync:    C.int(b2i(a.TSync)),
		listener: C.int(b2i(st.f.UsesNotify())),
		waitkill: C.int(b2i(a.WaitKill)),
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
