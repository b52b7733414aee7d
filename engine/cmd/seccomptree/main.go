// Command seccomptree inspects, simulates and builds seccomp filters.
//
//	seccomptree resolve [-a ARCH] [-t] NAME|NUMBER
//	seccomptree disasm [-a ARCH] [--pfc] FILE
//	seccomptree sim [-a ARCH] [-n] [-v] FILE SYSCALL [ARG0..ARG5]
//	seccomptree explain [-a ARCH] [-s] FILE [OTHER]
//	seccomptree compile [-o OUT] [--exec] PROFILE.json [-- CMD ARGS...]
//
// FILE is a program as seccomp_export_bpf writes it: an array of struct
// sock_filter in host byte order ("-" reads standard input). PROFILE.json
// is a Docker/OCI seccomp profile.
//
// Exit status: 0 for success, 1 for a negative answer (an unknown
// syscall, a call the filter does not let through, a profile that does not
// compile, two filters explain finds deciding a syscall differently), 2 for
// a usage error. explain with two files, where 1 means they differ, also
// exits 2 for a file it cannot read or run.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes. Scripts test them, so they are part of the interface.
const (
	exitOK    = 0
	exitNo    = 1
	exitUsage = 2
)

// command is one subcommand: its one-line synopsis and its body, which
// gets the arguments after the subcommand's name.
type command struct {
	synopsis string
	run      func(e *env, args []string) int
}

// env is where a command writes; tests substitute buffers.
type env struct {
	stdout, stderr io.Writer
}

// errorf reports a failure that is not the user's misuse of the command.
func (e *env) errorf(format string, a ...any) int {
	fmt.Fprintf(e.stderr, "seccomptree: "+format+"\n", a...)
	return exitNo
}

// usagef reports a misuse and points at the command's help.
func (e *env) usagef(cmd, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "seccomptree %s: "+format+"\n", append([]any{cmd}, a...)...)
	fmt.Fprintf(e.stderr, "Run 'seccomptree %s --help' for usage.\n", cmd)
	return exitUsage
}

var commands map[string]command

func init() {
	// Assigned here rather than in the declaration because the help
	// command refers back to the table.
	commands = map[string]command{
		"resolve": {"resolve [-a ARCH] [-t] NAME|NUMBER", runResolve},
		"disasm":  {"disasm [-a ARCH] [--pfc] FILE", runDisasm},
		"sim":     {"sim [-a ARCH] [-n] [-v] FILE SYSCALL [ARG0..ARG5]", runSim},
		"explain": {"explain [-a ARCH] [-s] FILE [OTHER]", runExplain},
		"compile": {"compile [-o OUT] [--exec] PROFILE.json [-- CMD ARGS...]", runCompile},
	}
}

var commandOrder = []string{"resolve", "disasm", "sim", "explain", "compile"}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: seccomptree COMMAND [OPTIONS] ARGS...")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, name := range commandOrder {
		fmt.Fprintf(w, "  %s\n", commands[name].synopsis)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'seccomptree COMMAND --help' for a command's options.")
}

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "seccomptree: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd.run(e, args[1:])
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// newFlags returns a flag set for a subcommand whose help goes to stdout
// when asked for and to stderr after a mistake.
func newFlags(e *env, name, describe string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: seccomptree %s\n\n%s\n", commands[name].synopsis, strings.TrimSpace(describe))
		if hasFlags(fs) {
			fmt.Fprintln(w, "\nOptions:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parse parses flags anywhere among the arguments, not only before the
// first operand, so that "sim FILE -a x86 read" works. Operands that look
// like negative numbers ("-10101", a pseudo-syscall) are operands, and
// "--" ends the options. It returns the operands, or the exit status when
// the command should stop: exitOK after --help, exitUsage after a mistake.
func parse(e *env, fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var operands []string
	for len(args) > 0 {
		// The flag package would take a negative number for an option,
		// so hand it only the arguments before the first one that is an
		// operand rather than an option's value.
		chunk, tail := args, []string(nil)
		for i, s := range args {
			if isNegativeNumber(s) && (i == 0 || !takesValue(fs, args[i-1])) {
				chunk, tail = args[:i], args[i:]
				break
			}
		}
		if err := fs.Parse(chunk); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(e.stdout)
				fs.Usage()
				return nil, exitOK, false
			}
			fmt.Fprintf(e.stderr, "Run 'seccomptree %s --help' for usage.\n", fs.Name())
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if consumed := len(chunk) - len(rest); consumed > 0 && chunk[consumed-1] == "--" {
			return append(append(operands, rest...), tail...), 0, true
		}
		if len(rest) == 0 {
			rest, tail = tail, nil
		}
		if len(rest) == 0 {
			break
		}
		operands = append(operands, rest[0])
		args = append(rest[1:len(rest):len(rest)], tail...)
	}
	return operands, 0, true
}

// takesValue reports whether arg is an option that consumes the next
// argument as its value.
func takesValue(fs *flag.FlagSet, arg string) bool {
	name, ok := strings.CutPrefix(arg, "-")
	if !ok || strings.Contains(name, "=") {
		return false
	}
	name = strings.TrimPrefix(name, "-")
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, isBool := f.Value.(interface{ IsBoolFlag() bool })
	return !isBool || !b.IsBoolFlag()
}

func isNegativeNumber(s string) bool {
	return len(s) > 1 && s[0] == '-' && s[1] >= '0' && s[1] <= '9'
}
