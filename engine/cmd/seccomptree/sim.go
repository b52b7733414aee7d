package main

import (
	"fmt"

	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
)

const simHelp = `
Run a BPF program (as seccomp_export_bpf writes it) as the kernel would for
one syscall and print its decision: the action's name and the raw 32-bit
return value. SYSCALL is a name or a number on the architecture given with -a
(the host's by default); up to six argument values follow, in decimal or
0x-prefixed hexadecimal (a negative value stands for its two's complement).

Exit status: 0 when the call would run (ALLOW or LOG), 1 for any other
decision or an error, 2 for a usage error.`

func runSim(e *env, args []string) int {
	fs := newFlags(e, "sim", simHelp)
	var a archFlag
	fs.Var(&a, "a", "architecture `ARCH` of the call")
	numeric := fs.Bool("n", false, "print only the raw return value, in hexadecimal")
	verbose := fs.Bool("v", false, "also print the number of instructions executed")
	ip := fs.String("ip", "0", "instruction pointer `VALUE` of the call")
	operands, status, ok := parse(e, fs, args)
	if !ok {
		return status
	}
	if len(operands) < 2 || len(operands) > 2+policy.MaxArgs {
		return e.usagef("sim", "want a BPF file, a syscall and at most %d arguments", policy.MaxArgs)
	}
	abi := a.get()
	nr, err := parseSyscall(abi, operands[1])
	if err != nil {
		return e.usagef("sim", "%v", err)
	}
	d := sim.Data{Nr: nr, Arch: uint32(abi.KernelToken())}
	if d.IP, err = parseArg(*ip); err != nil {
		return e.usagef("sim", "-ip: %v", err)
	}
	for i, s := range operands[2:] {
		if d.Args[i], err = parseArg(s); err != nil {
			return e.usagef("sim", "argument %d: %v", i, err)
		}
	}
	prog, err := readProgram(operands[0])
	if err != nil {
		return e.errorf("%s: %v", operands[0], err)
	}
	p, err := sim.New(prog)
	if err != nil {
		return e.errorf("%s: %v", operands[0], err)
	}
	ret, steps := p.Run(d, abi.BigEndian)
	act := policy.Action(ret)
	if *numeric {
		fmt.Fprintf(e.stdout, "0x%08x\n", ret)
	} else {
		fmt.Fprintf(e.stdout, "%s 0x%08x\n", act, ret)
	}
	if *verbose {
		fmt.Fprintf(e.stdout, "instructions: %d\n", steps)
	}
	switch act.Kind() {
	case policy.ActAllow, policy.ActLog:
		return exitOK
	}
	return exitNo
}
