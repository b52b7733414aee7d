package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/sim"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// readProgram reads a program as seccomp_export_bpf writes it, from a file
// or, for "-", from standard input.
func readProgram(name string) ([]bpf.RawInstruction, error) {
	var (
		buf []byte
		err error
	)
	if name == "-" {
		buf, err = io.ReadAll(os.Stdin)
	} else {
		buf, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	return decodeProgram(buf)
}

// decodeProgram reads an exported program in host byte order. The file
// has no header, so a length that is not a whole number of instructions
// is the only malformation it can detect by itself.
func decodeProgram(buf []byte) ([]bpf.RawInstruction, error) {
	return sim.Decode(buf, binary.NativeEndian)
}

// encodeProgram lays prog out as seccomp(2) takes it on this machine.
func encodeProgram(prog []bpf.RawInstruction) []byte {
	return sim.Encode(prog, binary.NativeEndian)
}

// archFlag is an -a option: an ABI by libseccomp's name, the host's when
// not given.
type archFlag struct{ a *arch.Arch }

func (f *archFlag) String() string {
	if f.a == nil {
		return "native"
	}
	return f.a.Name
}

func (f *archFlag) Set(s string) error {
	a, ok := lookupArch(s)
	if !ok {
		return fmt.Errorf("unknown architecture %q (known: %s)", s, archNames())
	}
	f.a = a
	return nil
}

func (f *archFlag) get() *arch.Arch {
	if f.a == nil {
		return arch.Host()
	}
	return f.a
}

// lookupArch accepts libseccomp's names and "native", as
// seccomp_arch_resolve_name and scmp_sys_resolver do.
func lookupArch(s string) (*arch.Arch, bool) {
	if s == "native" {
		return arch.Host(), true
	}
	return arch.ByName(s)
}

func archNames() string {
	names := make([]string, len(arch.All))
	for i, a := range arch.All {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}

// parseSyscall accepts a syscall as a name or a number (decimal, or
// hexadecimal with 0x) on ABI a, and returns the number a filter sees.
func parseSyscall(a *arch.Arch, s string) (int32, error) {
	if n, err := strconv.ParseInt(s, 0, 32); err == nil {
		return int32(n), nil
	}
	if n, err := strconv.ParseUint(s, 0, 32); err == nil {
		return int32(uint32(n)), nil
	}
	// The number the kernel reports, not libseccomp's pseudo number for a
	// call the ABI multiplexes: socket on x86 is the direct socket(2).
	if nr, ok := syscalls.Number(a, s); ok && nr >= 0 {
		return nr, nil
	}
	return 0, fmt.Errorf("%s has no syscall %q", a.Name, s)
}

// parseArg accepts a 64-bit argument value; negative values are taken as
// the two's complement a C caller passing a signed long would produce.
func parseArg(s string) (uint64, error) {
	if v, err := strconv.ParseUint(s, 0, 64); err == nil {
		return v, nil
	}
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("bad argument value %q", s)
	}
	return uint64(v), nil
}

// syscallName names kernel number nr on ABI a for display. x86_64 and x32
// share a token, so an x32 number is named from the x32 table.
func syscallName(a *arch.Arch, nr uint32) (string, bool) {
	if a == nil {
		return "", false
	}
	if a.Name == "x86_64" && nr&arch.X32SyscallBit != 0 {
		if name, ok := syscalls.Name(arch.MustByName("x32"), int32(nr)); ok {
			return name + "@x32", true
		}
		return "", false
	}
	return syscalls.Name(a, int32(nr))
}

// archByToken names the ABI of a kernel token, treating x86_64's token as
// x86_64 (its x32 calls are recognised by number, see syscallName).
func archByToken(tok uint32) (*arch.Arch, bool) {
	for _, a := range arch.All {
		if uint32(a.KernelToken()) == tok && !a.IsX32Sibling() {
			return a, true
		}
	}
	return nil, false
}
