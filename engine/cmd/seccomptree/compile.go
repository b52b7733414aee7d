package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/tree"
)

const compileHelp = `
Build a Docker/OCI seccomp profile (JSON, as github.com/moby/profiles/seccomp
and the OCI runtime spec define it) into a BPF program with the seccomptree
engine, and write it as seccomp_export_bpf would (-o), or load it and execute
a command under it (--exec).

Rules are chosen as Docker chooses them: includes/excludes clauses are
decided for this host's architecture, the capabilities given with --cap
(none by default) and the kernel version given with --kernel (the running
kernel's by default). --native-only builds for the host's ABI alone, which is
stricter: calls through the other ABIs the profile names (x86 and x32 on an
x86_64 host, say) are killed. Syscall names the host does not know are ignored, as
runc ignores them. Every mistake in the profile is reported with the path of
the offending field, e.g. syscalls[3].args[0].op.

--exec sets NO_NEW_PRIVS, loads the filter on the calling thread and
executes CMD in its place, so the command and all its children run under
the filter. The profile's SECCOMP_FILTER_FLAG_LOG and _SPEC_ALLOW flags are
honoured; TSYNC is moot since exec leaves one thread.

Exit status: 0 on success (with --exec, the command's own status), 1 when
the profile does not compile, 2 for a usage error, 126 when the filter
cannot be loaded or CMD cannot be executed, 127 when CMD is not found.`

func runCompile(e *env, args []string) int {
	// Everything after "--" is the command, including its options.
	var command []string
	for i, s := range args {
		if s == "--" {
			args, command = args[:i], args[i+1:]
			break
		}
	}
	fs := newFlags(e, "compile", compileHelp)
	out := fs.String("o", "", "write the program to `FILE` (\"-\" for standard output)")
	doExec := fs.Bool("exec", false, "load the filter and execute the command after --")
	var caps listFlag
	fs.Var(&caps, "cap", "capabilities the rules' includes/excludes see, e.g. `CAP_SYS_ADMIN,CAP_BPF` (repeatable)")
	kernel := fs.String("kernel", "", "kernel `VERSION` (MAJOR.MINOR) for minKernel clauses; default the running kernel's")
	nativeOnly := fs.Bool("native-only", false, "ignore the profile's architectures: calls of other ABIs get the bad-arch action (KILL)")
	verbose := fs.Bool("v", false, "report rules left out and unknown syscall names on standard error")
	operands, status, ok := parse(e, fs, args)
	if !ok {
		return status
	}
	if len(operands) == 0 {
		return e.usagef("compile", "want a profile")
	}
	command = append(operands[1:], command...)
	switch {
	case *doExec && len(command) == 0:
		return e.usagef("compile", "--exec wants a command after --")
	case !*doExec && len(command) > 0:
		return e.usagef("compile", "a command only makes sense with --exec")
	case !*doExec && *out == "":
		return e.usagef("compile", "want -o FILE or --exec")
	}

	t := target{arch: arch.Host(), caps: caps, nativeOnly: *nativeOnly}
	if *kernel == "" {
		var uts unix.Utsname
		if err := unix.Uname(&uts); err == nil {
			t.kernel, _ = parseKernelVersion(unix.ByteSliceToString(uts.Release[:]))
		}
	} else {
		kv, ok := parseKernelVersion(*kernel)
		if !ok {
			return e.usagef("compile", "bad kernel version %q, want MAJOR.MINOR", *kernel)
		}
		t.kernel = kv
	}

	name := operands[0]
	prog, flags, err := compileProfile(e, name, t, *verbose)
	if err != nil {
		return e.errorf("%s: %v", name, err)
	}
	if *out != "" {
		if err := writeOutput(*out, encodeProgram(prog)); err != nil {
			return e.errorf("%v", err)
		}
	}
	if !*doExec {
		return exitOK
	}
	path, err := exec.LookPath(command[0])
	if err != nil {
		e.errorf("%v", err)
		return 127
	}
	err = execUnder(prog, flags, path, command)
	// Only failures come back, possibly with the filter already loaded, so
	// say as little as possible.
	e.errorf("exec %s: %v", command[0], err)
	return 126
}

// compileProfile reads, checks and builds a profile into a program and
// the seccomp(2) flags the profile asks for.
func compileProfile(e *env, name string, t target, verbose bool) ([]bpf.RawInstruction, uint, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, 0, err
	}
	p, err := parseProfile(data)
	if err != nil {
		return nil, 0, err
	}
	f, st, err := p.build(t)
	if err != nil {
		return nil, 0, err
	}
	if verbose {
		fmt.Fprintf(e.stderr, "seccomptree: %s: %d rules applied, %d left out by includes/excludes\n", name, st.rules, st.skipped)
		if len(st.unknown) > 0 {
			fmt.Fprintf(e.stderr, "seccomptree: %s: unknown syscalls ignored: %s\n", name, strings.Join(st.unknown, " "))
		}
	}
	prog, err := tree.Generate(f)
	if err != nil {
		return nil, 0, err
	}
	var flags uint
	for _, s := range p.flags {
		switch s {
		case "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW":
			flags |= filterFlags[s]
		}
	}
	return prog, flags, nil
}

func writeOutput(name string, buf []byte) error {
	if name == "-" {
		_, err := os.Stdout.Write(buf)
		return err
	}
	return os.WriteFile(name, buf, 0o644)
}

// execUnder loads prog on this thread and replaces the process with path.
// Everything that could fail or needs system calls the filter might deny
// (looking up the command, copying the environment) happens before the
// load; after it, only execve.
func execUnder(prog []bpf.RawInstruction, flags uint, path string, argv []string) error {
	filter := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		filter[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	envv := os.Environ()

	// The filter attaches to one thread; exec must run on that thread.
	// The lock is never released: this goroutine either execs or the
	// process exits.
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	_, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		uintptr(flags), uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filter)
	if errno != 0 {
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %w", errno)
	}
	err := syscall.Exec(path, argv, envv)
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("%w (does the profile allow execve?)", err)
	}
	return err
}

// listFlag collects comma-separated values from repeated options.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}
