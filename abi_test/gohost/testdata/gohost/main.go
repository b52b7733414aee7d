// Command gohost is a Go program that uses libseccomp through cgo and
// pkg-config, as runc and podman do: with seccomptree, one process, two
// Go runtimes.
package main

/*
#cgo pkg-config: libseccomp
#include <stdlib.h>
#include <seccomp.h>

static int build(scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!ctx)
		return -1;
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(1), SCMP_SYS(getppid), 0);
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	*out = ctx;
	return rc;
}
*/
import "C"

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"unsafe"
)

func main() {
	v := C.seccomp_version()
	fmt.Printf("libseccomp %d.%d.%d\n", v.major, v.minor, v.micro)

	var ctx C.scmp_filter_ctx
	if rc := C.build(&ctx); rc != 0 {
		fail("build: %d", rc)
	}
	defer C.seccomp_release(ctx)

	var n C.size_t
	if rc := C.seccomp_export_bpf_mem(ctx, nil, &n); rc != 0 || n == 0 {
		fail("export_bpf_mem: %d, %d bytes", rc, n)
	}
	buf := C.malloc(n)
	defer C.free(buf)
	if rc := C.seccomp_export_bpf_mem(ctx, buf, &n); rc != 0 {
		fail("export_bpf_mem: %d", rc)
	}
	prog := C.GoBytes(unsafe.Pointer(buf), C.int(n))
	fmt.Printf("exported %d instructions\n", len(prog)/8)

	if len(os.Args) > 1 && os.Args[1] == "child" {
		// TSYNC: every thread of both runtimes gets the filter.
		if rc := C.seccomp_load(ctx); rc != 0 {
			fail("load: %d", rc)
		}
		if _, _, e := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0); e != syscall.EPERM {
			fail("getppid under the filter: errno %d, want EPERM", e)
		}
		fmt.Println("child: filter loaded, getppid denied")
		return
	}
	cmd := exec.Command(os.Args[0], "child")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fail("child: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gohost: "+format+"\n", args...)
	os.Exit(1)
}
