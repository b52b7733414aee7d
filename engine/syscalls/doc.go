// Package syscalls maps syscall names to numbers, and back, for every ABI
// in arch.All.
//
// Numbers are the ones the kernel puts in seccomp_data.nr: MIPS numbers
// carry their ABI's base (4000, 5000, 6000), x32 numbers carry
// arch.X32SyscallBit, and ARM's private calls (breakpoint, cacheflush,
// usr26, usr32, set_tls, get_tls) sit at 0x0f0000 and up, as libseccomp
// numbers them.
//
// A name some ABI lacks resolves there to libseccomp's pseudo-syscall
// number (__PNR_<name>, always negative), so one filter can name a call on
// every ABI. The pseudo numbers are libseccomp 2.6.1's and are ABI: they
// appear in compiled programs through SCMP_SYS().
//
// # Sources
//
// The tables are generated (zsyscalls.go, by internal/gen, run with
// go generate) from plain-text facts in internal/gen/data, so regenerating
// needs nothing outside the repository. Those files are refreshed from
// kernel headers by "internal/gen -import":
//
//   - Every ABI but s390 comes from one kernel release: the uapi headers of
//     Debian's linux-libc-dev 7.2.13-1 (Linux 7.2), which ships every
//     architecture's asm/unistd*.h. One release for all ABIs keeps them
//     consistent with each other; golang.org/x/sys covers only 14 of the
//     23 ABIs and is instead used by the tests as an independent check.
//   - 31-bit s390 left the kernel in 6.19, so it comes from Debian's
//     linux-libc-dev 6.12.117-1 plus the seven calls 6.13 to 6.18 added
//     (data/s390-late.txt).
//   - Pseudo numbers (data/pseudo.txt) and the set of names libseccomp
//     resolves (data/libseccomp.txt) are taken from libseccomp 2.6.1.
//
// The header macros are evaluated with the compiler's preprocessor, so
// expressions such as (__NR_Linux + 4) and (__X32_SYSCALL_BIT + 512)
// become plain numbers. Aliases (ARM's __NR_sync_file_range2) and MIPS's
// unused/reserved slots are left out, as libseccomp leaves them out.
//
// The tables know every name libseccomp 2.6.1 does, and may know more as
// kernels add calls. Where the kernel headers are newer than libseccomp's
// table the numbers can differ from 2.6.1's; the tests list each such case.
//
// The same data generates the public header seccomp-syscalls.h.
package syscalls

//go:generate go run ./internal/gen
