package rtlayout

import (
	"debug/dwarf"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A program built by the toolchain that runs this test holds the same
// runtime as the library, with its debug information (test binaries are
// built without): read the layout from there.
func TestLayout(t *testing.T) {
	if v := runtime.Version(); v != Runtime && !strings.HasPrefix(v, Runtime+".") {
		t.Fatalf("toolchain %s, offsets recorded for %s: check them "+
			"(this test prints what it finds) and update rtlayout", v, Runtime)
	}
	dir := t.TempDir()
	for name, data := range map[string]string{
		"main.go": "package main\n\nfunc main() {}\n",
		"go.mod":  "module layout\n\ngo 1.26\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(dir, "layout")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", exe, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.DWARF()
	if err != nil {
		t.Fatalf("no debug information in %s: %v", exe, err)
	}
	sched := structType(t, d, "runtime.schedt")
	mutex := structType(t, d, "runtime.mutex")
	check := func(what string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %d in this runtime, rtlayout says %d", what, got, want)
		}
	}
	check("offset of runtime.schedt.lock", field(t, sched, "lock", "runtime.mutex").ByteOffset, SchedLock)
	check("offset of runtime.schedt.npidle", field(t, sched, "npidle", "internal/runtime/atomic.Int32").ByteOffset, SchedNpidle)
	check("size of runtime.mutex", mutex.ByteSize, MutexSize)
	check("offset of runtime.mutex.key", field(t, mutex, "key", "uintptr").ByteOffset, 0)
}

func structType(t *testing.T, d *dwarf.Data, name string) *dwarf.StructType {
	t.Helper()
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			t.Fatalf("%s not in the debug information", name)
		}
		if e.Tag != dwarf.TagStructType || e.Val(dwarf.AttrName) != name {
			continue
		}
		typ, err := d.Type(e.Offset)
		if err != nil {
			t.Fatal(err)
		}
		return typ.(*dwarf.StructType)
	}
}

func field(t *testing.T, s *dwarf.StructType, name, typ string) *dwarf.StructField {
	t.Helper()
	for _, f := range s.Field {
		if f.Name == name {
			if f.Type.String() != typ {
				t.Errorf("%s.%s is a %s, not a %s", s.StructName, name, f.Type, typ)
			}
			return f
		}
	}
	t.Fatalf("%s has no field %s", s.StructName, name)
	return nil
}
