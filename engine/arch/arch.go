// Package arch describes the architectures a seccomp filter can name: the
// audit token the kernel puts in seccomp_data.arch, word size, byte order
// and the quirks of each ABI's syscall numbering.
//
// It is data, not logic: one row per ABI, in the order libseccomp lists
// them. Tokens are AUDIT_ARCH_* values, built from the ELF machine number
// and the 64-bit, little-endian and MIPS N32 convention bits.
package arch

import "fmt"

const (
	bit64  = 0x80000000 // __AUDIT_ARCH_64BIT
	bitLE  = 0x40000000 // __AUDIT_ARCH_LE
	bitN32 = 0x20000000 // __AUDIT_ARCH_CONVENTION_MIPS64_N32
)

// ELF machine numbers of the supported ABIs.
const (
	emI386      = 3
	em68K       = 4
	emMIPS      = 8
	emPARISC    = 15
	emPPC       = 20
	emPPC64     = 21
	emS390      = 22
	emARM       = 40
	emSH        = 42
	emX86_64    = 62
	emAARCH64   = 183
	emRISCV     = 243
	emLOONGARCH = 258
)

// Token is an AUDIT_ARCH_* value, as seccomp_data.arch carries it and as
// libseccomp's SCMP_ARCH_* macros spell it.
type Token uint32

// Native is libseccomp's SCMP_ARCH_NATIVE: "the arch this library runs on".
const Native Token = 0

// X32SyscallBit marks x32 syscall numbers; the kernel reports x32 calls
// with the x86_64 token, so the number is all that tells them apart.
const X32SyscallBit = 0x40000000

// Arch is one syscall ABI.
type Arch struct {
	// Name is libseccomp's name for the ABI ("x86_64", "mipsel64n32").
	Name string
	// Token is the value the kernel reports in seccomp_data.arch.
	Token Token
	// Bits is the ABI's register width, 32 or 64. On 32-bit ABIs only the
	// low word of each argument carries information.
	Bits int
	// BigEndian says how the kernel lays out 64-bit fields of
	// seccomp_data, which decides where each argument half is loaded from.
	BigEndian bool
	// Multiplexed is true for ABIs where socket and SysV IPC calls can also
	// arrive through socketcall(2) and ipc(2).
	Multiplexed bool
}

// All lists every ABI libseccomp 2.6 supports.
var All = []*Arch{
	{Name: "x86", Token: emI386 | bitLE, Bits: 32, Multiplexed: true},
	{Name: "x86_64", Token: emX86_64 | bit64 | bitLE, Bits: 64},
	{Name: "x32", Token: emX86_64 | bitLE, Bits: 32},
	{Name: "arm", Token: emARM | bitLE, Bits: 32},
	{Name: "aarch64", Token: emAARCH64 | bit64 | bitLE, Bits: 64},
	{Name: "loongarch64", Token: emLOONGARCH | bit64 | bitLE, Bits: 64},
	{Name: "m68k", Token: em68K, Bits: 32, BigEndian: true, Multiplexed: true},
	{Name: "mips", Token: emMIPS, Bits: 32, BigEndian: true, Multiplexed: true},
	{Name: "mipsel", Token: emMIPS | bitLE, Bits: 32, Multiplexed: true},
	{Name: "mips64", Token: emMIPS | bit64, Bits: 64, BigEndian: true},
	{Name: "mipsel64", Token: emMIPS | bit64 | bitLE, Bits: 64},
	{Name: "mips64n32", Token: emMIPS | bit64 | bitN32, Bits: 32, BigEndian: true},
	{Name: "mipsel64n32", Token: emMIPS | bit64 | bitLE | bitN32, Bits: 32},
	{Name: "parisc", Token: emPARISC, Bits: 32, BigEndian: true},
	{Name: "parisc64", Token: emPARISC | bit64, Bits: 64, BigEndian: true},
	{Name: "ppc", Token: emPPC, Bits: 32, BigEndian: true, Multiplexed: true},
	{Name: "ppc64", Token: emPPC64 | bit64, Bits: 64, BigEndian: true, Multiplexed: true},
	{Name: "ppc64le", Token: emPPC64 | bit64 | bitLE, Bits: 64, Multiplexed: true},
	{Name: "riscv64", Token: emRISCV | bit64 | bitLE, Bits: 64},
	{Name: "s390", Token: emS390, Bits: 32, BigEndian: true, Multiplexed: true},
	{Name: "s390x", Token: emS390 | bit64, Bits: 64, BigEndian: true, Multiplexed: true},
	{Name: "sh", Token: emSH | bitLE, Bits: 32, Multiplexed: true},
	{Name: "sheb", Token: emSH, Bits: 32, BigEndian: true, Multiplexed: true},
}

var (
	byToken = map[Token]*Arch{}
	byName  = map[string]*Arch{}
)

func init() {
	for _, a := range All {
		byToken[a.Token] = a
		byName[a.Name] = a
	}
}

// ByToken returns the ABI with the given token; Native means Host().
func ByToken(t Token) (*Arch, bool) {
	if t == Native {
		return Host(), true
	}
	a, ok := byToken[t]
	return a, ok
}

// ByName returns the ABI libseccomp calls name.
func ByName(name string) (*Arch, bool) {
	a, ok := byName[name]
	return a, ok
}

// MustByName is ByName for names known at compile time.
func MustByName(name string) *Arch {
	a, ok := byName[name]
	if !ok {
		panic(fmt.Sprintf("arch: unknown ABI %q", name))
	}
	return a
}

// Host returns the ABI of the running program, as libseccomp decides its
// native arch at build time.
func Host() *Arch { return MustByName(hostName) }

// IsX32Sibling reports whether a is x32, whose calls arrive with x86_64's
// token and are told apart by X32SyscallBit.
func (a *Arch) IsX32Sibling() bool { return a.Name == "x32" }

// KernelToken is the token seccomp_data.arch carries for a's calls. It
// differs from Token only for x32.
func (a *Arch) KernelToken() Token {
	if a.IsX32Sibling() {
		return MustByName("x86_64").Token
	}
	return a.Token
}

func (a *Arch) String() string { return a.Name }
