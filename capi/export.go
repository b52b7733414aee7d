package main

/*
#include <stddef.h>
#include <stdint.h>
#include <string.h>
*/
import "C"

import (
	"bytes"
	"encoding/binary"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomptree/seccomptree/engine/pfc"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// encode lays prog out for the kernel of this machine.
func encode(prog []bpf.RawInstruction) []byte {
	return sim.Encode(prog, binary.NativeEndian)
}

// exported encodes prog for seccomp_export_bpf(_mem), which writes it in
// the byte order of the filter's ABIs, as libseccomp does: a big-endian
// filter built on a little-endian machine is written big-endian, ready
// for the machine that will load it.
func exported(st *filterState, prog []bpf.RawInstruction) []byte {
	if st.f.Tables[0].Arch.BigEndian {
		return sim.Encode(prog, binary.BigEndian)
	}
	return sim.Encode(prog, binary.LittleEndian)
}

// withProgram runs fn with the state and program of a live context,
// generating the program if needed; errors become return codes.
func withProgram(ctx C.uintptr_t, fn func(st *filterState, prog []bpf.RawInstruction) C.int) C.int {
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
	return fn(st, prog)
}

//export stgo_export_bpf
func stgo_export_bpf(ctx C.uintptr_t, fd C.int) C.int {
	return withProgram(ctx, func(st *filterState, prog []bpf.RawInstruction) C.int {
		return writeAll(fd, exported(st, prog), st.f.Attrs.SysRawRC)
	})
}

//export stgo_export_bpf_mem
func stgo_export_bpf_mem(ctx C.uintptr_t, out unsafe.Pointer, size *C.size_t) C.int {
	if size == nil {
		return rc(policy.ErrInvalid)
	}
	return withProgram(ctx, func(st *filterState, prog []bpf.RawInstruction) C.int {
		buf := exported(st, prog)
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
	})
}

//export stgo_export_pfc
func stgo_export_pfc(ctx C.uintptr_t, fd C.int) C.int {
	return withProgram(ctx, func(st *filterState, prog []bpf.RawInstruction) C.int {
		var text bytes.Buffer
		if err := pfc.Render(&text, prog); err != nil {
			return rc(err)
		}
		return writeAll(fd, text.Bytes(), st.f.Attrs.SysRawRC)
	})
}

// writeAll writes buf to fd, retrying short writes and EINTR; a failure
// is reported as libseccomp reports system errors.
func writeAll(fd C.int, buf []byte, raw bool) C.int {
	for len(buf) > 0 {
		n, err := unix.Write(int(fd), buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return rcSys(raw, err)
		}
		buf = buf[n:]
	}
	return 0
}

// Flags for seccomp(SECCOMP_SET_MODE_FILTER).
const (
	flagTSync     = 1 << 0
	flagLog       = 1 << 1
	flagSpecAllow = 1 << 2
)

// stgo_load_prepare makes sure the C side holds the program of ctx and
// its load options (see program); seccomp_load installs them from C.
//
//export stgo_load_prepare
func stgo_load_prepare(ctx C.uintptr_t) C.int {
	return withProgram(ctx, func(*filterState, []bpf.RawInstruction) C.int { return 0 })
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
