package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

func TestResolve(t *testing.T) {
	// The numbers are facts of the kernel ABIs and of libseccomp's
	// pseudo-syscall numbering.
	tests := []struct {
		args []string
		out  string
		code int
	}{
		{[]string{"-a", "x86_64", "read"}, "0", exitOK},
		{[]string{"-a", "x86_64", "openat"}, "257", exitOK},
		{[]string{"-a", "aarch64", "openat"}, "56", exitOK},
		{[]string{"-a", "x86_64", "0"}, "read", exitOK},
		{[]string{"-a", "x86_64", "0x101"}, "openat", exitOK},
		{[]string{"-a", "x32", "0x40000002"}, "open", exitOK},
		{[]string{"-a", "x32", "2"}, "open", exitOK}, // libseccomp's leniency
		{[]string{"-a", "mips", "4003"}, "read", exitOK},
		// socketcall ABIs: pseudo numbers, or the multiplexer with -t.
		{[]string{"-a", "x86", "socket"}, "-101", exitOK},
		{[]string{"-a", "x86", "-t", "socket"}, "102", exitOK},
		{[]string{"-t", "-a", "x86", "shmget"}, "117", exitOK},
		{[]string{"-a", "x86", "-101"}, "socket", exitOK},
		{[]string{"-a", "x86_64", "-t", "socket"}, "41", exitOK},
		// A name the ABI lacks is a pseudo number, not an error.
		{[]string{"-a", "aarch64", "open"}, "-10166", exitOK},
		{[]string{"-a", "x86_64", "no_such_call"}, "-1", exitNo},
		{[]string{"-a", "x86_64", "99999"}, "UNKNOWN", exitNo},
		{[]string{"-a", "x86_64", "-10101"}, "UNKNOWN", exitNo},
		{[]string{"-a", "vax", "read"}, "", exitUsage},
		{[]string{"read", "write"}, "", exitUsage},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errs, code := invoke(t, append([]string{"resolve"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			if got := strings.TrimSpace(out); got != tt.out {
				t.Errorf("output %q, want %q", got, tt.out)
			}
		})
	}
}

// TestResolveNative checks the default architecture is the host's, by
// round-tripping every host syscall through both directions.
func TestResolveNative(t *testing.T) {
	host := arch.Host()
	if host.Multiplexed {
		t.Skip("socket and IPC names resolve to pseudo numbers on", host.Name)
	}
	for nr, name := range syscalls.Numbers(host) {
		if nr < 0 {
			continue
		}
		out, _, code := invoke(t, "resolve", name)
		if code != exitOK || strings.TrimSpace(out) != strconv.Itoa(int(nr)) {
			t.Errorf("resolve %s = %q (exit %d), want %d", name, out, code, nr)
		}
		out, _, code = invoke(t, "resolve", strconv.Itoa(int(nr)))
		if code != exitOK || strings.TrimSpace(out) != name {
			t.Errorf("resolve %d = %q (exit %d), want %s", nr, out, code, name)
		}
	}
}
