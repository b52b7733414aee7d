package syscalls

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// xsysFiles maps golang.org/x/sys/unix's per-GOARCH syscall number files
// to the ABI they describe.
var xsysFiles = map[string]string{
	"386": "x86", "amd64": "x86_64", "arm": "arm", "arm64": "aarch64",
	"loong64": "loongarch64", "mips": "mips", "mipsle": "mipsel",
	"mips64": "mips64", "mips64le": "mipsel64", "ppc": "ppc",
	"ppc64": "ppc64", "ppc64le": "ppc64le", "riscv64": "riscv64",
	"s390x": "s390x",
}

var xsysConst = regexp.MustCompile(`(?m)^\s*SYS_(\w+)\s*=\s*(\d+)\s*$`)

// TestXSys cross-checks the tables with golang.org/x/sys, which is
// generated from kernel sources by a different tool: any name both know
// must have the same number.
func TestXSys(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("golang.org/x/sys source not available: %v", err)
	}
	for goarch, abi := range xsysFiles {
		src, err := os.ReadFile(filepath.Join(dir, "unix", "zsysnum_linux_"+goarch+".go"))
		if err != nil {
			t.Errorf("%s: %v", abi, err)
			continue
		}
		a := arch.MustByName(abi)
		table := Table(a)
		matched := 0
		for _, m := range xsysConst.FindAllStringSubmatch(string(src), -1) {
			name := strings.ToLower(m[1])
			n, _ := strconv.Atoi(m[2])
			ours, ok := table[name]
			if !ok {
				t.Logf("%s: x/sys has %s = %d, we do not", abi, name, n)
				continue
			}
			matched++
			if ours != int32(n) {
				t.Errorf("%s %s: ours %d, x/sys %d", abi, name, ours, n)
			}
		}
		if matched < len(table)*9/10 {
			t.Errorf("%s: only %d of our %d calls found in x/sys", abi, matched, len(table))
		}
	}
}
