package main

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// The committed outputs must be what the committed data generates; run
// "go generate ./engine/syscalls" after changing either.
func TestGeneratedUpToDate(t *testing.T) {
	d, err := load("data")
	if err != nil {
		t.Fatal(err)
	}
	src, err := genGo(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		want []byte
	}{
		{"../../zsyscalls.go", src},
		{"../../../../seccomp-syscalls.h", genHeader(d)},
	} {
		got, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(f.want) {
			t.Errorf("%s is stale; run go generate ./engine/syscalls", f.path)
		}
	}
}

func TestEval(t *testing.T) {
	macros := map[string]string{
		"__NR_Linux":        "4000",
		"__X32_SYSCALL_BIT": "0x40000000",
		"__NR_SYSCALL_BASE": "0",
		"__ARM_NR_BASE":     "(__NR_SYSCALL_BASE+0x0f0000)",
		"LOOP":              "LOOP",
	}
	for _, tc := range []struct {
		expr string
		want int64
		bad  bool
	}{
		{expr: "42", want: 42},
		{expr: "(__NR_Linux + 4)", want: 4004},
		{expr: "(__X32_SYSCALL_BIT + 512)", want: 0x40000200},
		{expr: "(__ARM_NR_BASE+1)", want: 0x0f0001},
		{expr: "0x10 | 1", want: 17},
		{expr: "(1 - 2)", want: -1},
		{expr: "300UL", want: 300},
		{expr: "UNDEFINED + 1", bad: true},
		{expr: "1 * 2", bad: true},
		{expr: "(1 + 2", bad: true},
		{expr: "LOOP", bad: true},
		{expr: "", bad: true},
	} {
		got, err := eval(macros, tc.expr, 0)
		if tc.bad {
			if err == nil {
				t.Errorf("eval(%q) = %d, want an error", tc.expr, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("eval(%q) = %d, %v; want %d", tc.expr, got, err, tc.want)
		}
	}
}

// importTable must keep real calls and drop aliases and placeholders.
func TestImportTable(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	root := t.TempDir()
	asm := filepath.Join(root, "toy", "asm")
	if err := os.MkdirAll(asm, 0o755); err != nil {
		t.Fatal(err)
	}
	hdr := "#ifdef TOY64\n#define __NR_Linux 5000\n#else\n#define __NR_Linux 4000\n#endif\n" +
		"#define __NR_SYSCALL_MASK 0xfff\n#define __NR_syscalls 300\n#define __NR_unused18 (__NR_Linux + 18)\n" +
		"#define __NR_arm_sync_file_range (__NR_Linux + 1)\n#define __NR_sync_file_range2 __NR_arm_sync_file_range\n" +
		"#define __ARM_NR_BASE 0x0f0000\n#define __ARM_NR_breakpoint (__ARM_NR_BASE+1)\n"
	for i := range 120 {
		hdr += fmt.Sprintf("#define __NR_call%03d (__NR_Linux + %d)\n", i, 100+i)
	}
	if err := os.WriteFile(filepath.Join(asm, "unistd.h"), []byte(hdr), 0o644); err != nil {
		t.Fatal(err)
	}
	calls, err := importTable(root, table{dir: "toy", hdr: "asm/unistd.h", defs: []string{"TOY64"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int32{}
	for _, c := range calls {
		got[c.name] = c.nr
	}
	for name, want := range map[string]int32{"arm_sync_file_range": 5001, "breakpoint": 0x0f0001, "call000": 5100, "call119": 5219} {
		if got[name] != want {
			t.Errorf("%s = %d, want %d", name, got[name], want)
		}
	}
	for _, name := range []string{"sync_file_range2", "unused18", "syscalls", "SYSCALL_MASK", "Linux", "BASE"} {
		if _, ok := got[name]; ok {
			t.Errorf("%s imported", name)
		}
	}
	if !slices.IsSortedFunc(calls, func(a, b call) int { return cmp.Compare(a.nr, b.nr) }) {
		t.Error("not sorted by number")
	}
}
