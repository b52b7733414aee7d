package main

import (
	"fmt"
	"strconv"

	"github.com/seccomptree/seccomptree/engine/syscalls"
)

const resolveHelp = `
Print the number of a syscall name, or the name of a syscall number, on an
architecture (the host's unless -a is given), with libseccomp's answers:
names an architecture lacks resolve to negative pseudo-syscall numbers, and
on architectures that multiplex socket and IPC calls those calls resolve to
pseudo numbers too. With -t, such a pseudo number is rewritten to the number
of the multiplexer (socketcall or ipc) that carries the call.

The output matches scmp_sys_resolver's: an unknown name prints -1 and an
unknown number prints UNKNOWN; both also exit with status 1.`

func runResolve(e *env, args []string) int {
	fs := newFlags(e, "resolve", resolveHelp)
	var a archFlag
	fs.Var(&a, "a", "architecture `ARCH` (libseccomp's name, e.g. x86_64, aarch64)")
	rewrite := fs.Bool("t", false, "rewrite multiplexed calls to their multiplexer's number")
	operands, status, ok := parse(e, fs, args)
	if !ok {
		return status
	}
	if len(operands) != 1 {
		return e.usagef("resolve", "want one syscall name or number, got %d operands", len(operands))
	}
	abi, s := a.get(), operands[0]

	if isNumber(s) {
		nr, err := strconv.ParseInt(s, 0, 32)
		if err != nil {
			return e.usagef("resolve", "bad syscall number %q", s)
		}
		name, ok := syscalls.ResolveNum(abi, int32(nr))
		if !ok {
			fmt.Fprintln(e.stdout, "UNKNOWN")
			return exitNo
		}
		fmt.Fprintln(e.stdout, name)
		return exitOK
	}
	nr, ok := syscalls.Resolve(abi, s)
	if !ok {
		fmt.Fprintln(e.stdout, -1)
		return exitNo
	}
	if *rewrite {
		nr = syscalls.Rewrite(abi, nr)
	}
	fmt.Fprintln(e.stdout, nr)
	return exitOK
}

// isNumber decides between the two directions as scmp_sys_resolver does,
// by the first character.
func isNumber(s string) bool {
	return s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9')
}
