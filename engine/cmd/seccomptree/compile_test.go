package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, json, err string
	}{
		{"syntax", "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [}", "line 2, column"},
		{"trailing", `{"defaultAction": "SCMP_ACT_ALLOW"} {}`, "trailing data"},
		{"not an object", `[]`, "want an object, found an array"},
		{"no default", `{"syscalls": []}`, "defaultAction: missing"},
		{"bad default", `{"defaultAction": "SCMP_ACT_MAYBE"}`, `defaultAction: unknown action "SCMP_ACT_MAYBE"`},
		{"default errno type", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": "1"}`, "defaultErrnoRet: want a number, found a string"},
		{"default errno range", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000}`, "defaultErrnoRet: want an integer from 0 to 65535"},
		{"errno on allow", `{"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1}`, "defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE"},
		{"unknown top field", `{"defaultAction": "SCMP_ACT_ALLOW", "defaultActoin": 1}`, "defaultActoin: unknown field"},
		{"bad arch", `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_PDP11"]}`, `architectures[1]: unknown architecture "SCMP_ARCH_PDP11"`},
		{"both arch lists", `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"], "archMap": []}`, "archMap: a profile has either"},
		{"archMap entry", `{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["x86"]}]}`, `archMap[0].subArchitectures[0]: unknown architecture "x86"`},
		{"bad flag", `{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST"]}`, `flags[1]: unknown flag`},
		{"syscalls type", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}}`, "syscalls: want an array, found an object"},
		{"no names", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_ERRNO"}]}`, "syscalls[0]: missing names"},
		{"name and names", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ERRNO"}]}`, "syscalls[0].name: a rule has either"},
		{"name type", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO"}, {"names": ["read", 3], "action": "SCMP_ACT_ERRNO"}]}`, "syscalls[1].names[1]: want a string, found a number"},
		{"no action", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"]}]}`, "syscalls[0]: missing action"},
		{"bad action", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "ALLOW"}]}`, `syscalls[0].action: unknown action "ALLOW"`},
		{"misspelt field", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnorRet": 5}]}`, "syscalls[0].errnorRet: unknown field"},
		{"bad op", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO"}, {"names": ["write"], "action": "SCMP_ACT_ERRNO"}, {"names": ["close"], "action": "SCMP_ACT_ERRNO"}, {"names": ["open"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FOO"}]}]}`, `syscalls[3].args[0].op: unknown operator "SCMP_CMP_FOO"`},
		{"bad index", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`, "syscalls[0].args[0].index: argument index 6 out of range"},
		{"negative value", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]}]}`, "syscalls[0].args[0].value: want an integer"},
		{"no op", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1}]}]}`, "syscalls[0].args[0]: missing op"},
		{"bad minKernel", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "five"}}]}`, "syscalls[0].includes.minKernel: bad kernel version"},
		{"bad excludes", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": "CAP_SYS_ADMIN"}}]}`, "syscalls[0].excludes.caps: want an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "profile.json", tt.json)
			_, errs, code := invoke(t, "compile", "-o", filepath.Join(t.TempDir(), "out.bpf"), p)
			if code != exitNo {
				t.Errorf("exit %d, want %d", code, exitNo)
			}
			if !strings.Contains(errs, tt.err) {
				t.Errorf("stderr %q does not contain %q", errs, tt.err)
			}
		})
	}
}

// profileHost is a profile exercising the parts of the format that decide
// which rules apply. Each rule's errno names it, so a decision shows which
// rule made it.
const profileHost = `{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    {"names": ["mkdir", "no_such_call"], "action": "SCMP_ACT_ERRNO"},
    {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 2},
    {"name": "chdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 3, "comment": "old form"},
    {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4, "includes": {"caps": ["CAP_SYS_ADMIN"]}},
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
    {"names": ["getuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 6, "includes": {"minKernel": "5.10"}},
    {"names": ["getgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 7, "excludes": {"minKernel": "5.10"}},
    {"names": ["geteuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 8, "includes": {"arches": ["HOSTARCH"]}},
    {"names": ["getegid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 9, "excludes": {"arches": ["HOSTARCH"]}},
    {"names": ["write"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 10,
     "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 255, "valueTwo": 3, "op": "SCMP_CMP_MASKED_EQ"}]},
    {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 11,
     "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 15, "op": "SCMP_CMP_EQ"}]}
  ]
}`

func TestCompileSemantics(t *testing.T) {
	profile := writeFile(t, "profile.json", strings.ReplaceAll(profileHost, "HOSTARCH", dockerArch(arch.Host())))
	type call struct {
		args []string
		want string
	}
	tests := []struct {
		name  string
		flags []string
		calls []call
	}{
		{"no caps, old kernel", []string{"--kernel", "4.19"}, []call{
			{[]string{"mkdir"}, "ERRNO(1)"},
			{[]string{"rmdir"}, "ERRNO(2)"},
			{[]string{"chdir"}, "ERRNO(3)"},
			{[]string{"getpid"}, "ALLOW"},
			{[]string{"getppid"}, "ERRNO(5)"},
			{[]string{"getuid"}, "ALLOW"},
			{[]string{"getgid"}, "ERRNO(7)"},
			{[]string{"geteuid"}, "ERRNO(8)"},
			{[]string{"getegid"}, "ALLOW"},
			{[]string{"write"}, "ALLOW"},
			{[]string{"personality", "8", "3"}, "ALLOW"},
			{[]string{"personality", "9", "3"}, "ERRNO(10)"},
			{[]string{"personality", "9", "0x103"}, "ERRNO(10)"},
			{[]string{"personality", "9", "4"}, "ALLOW"},
			// Two conditions on one argument: either matches.
			{[]string{"kill", "1", "9"}, "ERRNO(11)"},
			{[]string{"kill", "1", "15"}, "ERRNO(11)"},
			{[]string{"kill", "1", "2"}, "ALLOW"},
		}},
		{"admin, new kernel", []string{"--cap", "CAP_SYS_ADMIN", "--kernel", "6.1.0-18-amd64"}, []call{
			{[]string{"getpid"}, "ERRNO(4)"},
			{[]string{"getppid"}, "ALLOW"},
			{[]string{"getuid"}, "ERRNO(6)"},
			{[]string{"getgid"}, "ALLOW"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.bpf")
			args := append([]string{"compile", "-o", out, profile}, tt.flags...)
			if _, errs, code := invoke(t, args...); code != exitOK {
				t.Fatalf("compile: exit %d: %s", code, errs)
			}
			for _, c := range tt.calls {
				got, errs, _ := invoke(t, append([]string{"sim", out}, c.args...)...)
				if f := strings.Fields(got); len(f) == 0 || f[0] != c.want {
					t.Errorf("%v: %q (%s), want %s", c.args, got, errs, c.want)
				}
			}
		})
	}
}

// TestCompileStdout checks "-o -" writes the same program as a file.
func TestCompileStdout(t *testing.T) {
	profile := writeFile(t, "p.json", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [{"names": ["read", "exit_group"], "action": "SCMP_ACT_ALLOW"}]}`)
	file := filepath.Join(t.TempDir(), "out.bpf")
	if _, errs, code := child(t, "compile", "-o", file, profile); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	out, errs, code := child(t, "compile", "-o", "-", profile)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) || len(want) == 0 {
		t.Errorf("stdout has %d bytes, the file %d", len(out), len(want))
	}
}

// TestCompileExec runs mkdir under a profile that denies it, and under one
// that does not, to show the difference is the filter's.
func TestCompileExec(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		created bool
		code    int
	}{
		{"denied", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}`, false, 1},
		{"allowed", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]}`, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			profile := writeFile(t, "p.json", tt.profile)
			dir := filepath.Join(t.TempDir(), "made")
			_, errs, code := child(t, "compile", profile, "--exec", "--", "mkdir", dir)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			_, err := os.Stat(dir)
			if created := err == nil; created != tt.created {
				t.Errorf("directory created: %v, want %v", created, tt.created)
			}
			if !tt.created && !strings.Contains(errs, "Operation not permitted") {
				t.Errorf("mkdir did not report EPERM: %q", errs)
			}
		})
	}

	if _, errs, code := child(t, "compile", writeFile(t, "p.json", `{"defaultAction": "SCMP_ACT_ALLOW"}`), "--exec", "--", "/nonexistent/cmd"); code != 127 {
		t.Errorf("missing command: exit %d, want 127 (%s)", code, errs)
	}
}
