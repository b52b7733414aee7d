package pfc

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/tree"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden renders fixed policies and compares with testdata/*.pfc.
// Run with -update after an intended change of format or tree shape.
func TestGolden(t *testing.T) {
	host := arch.MustByName("x86_64")
	if arch.Host() != host {
		t.Skip("golden files are for x86_64 hosts")
	}
	for _, tc := range []struct {
		name  string
		def   policy.Action
		rules map[int32]policy.Action
		conds []policy.Cond
	}{
		{name: "allow-all", def: policy.ActAllow},
		{name: "small-allowlist", def: policy.ActKillProcess, rules: map[int32]policy.Action{0: policy.ActAllow, 1: policy.ActAllow, 3: policy.ActAllow, 60: policy.ActAllow, 231: policy.ActAllow, 39: policy.Errno(1)}},
		{name: "denylist", def: policy.ActAllow, rules: map[int32]policy.Action{101: policy.Errno(1), 165: policy.ActKillProcess, 246: policy.Errno(38)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := policy.New(tc.def)
			if err != nil {
				t.Fatal(err)
			}
			for nr, act := range tc.rules {
				if err := f.AddRule(act, nr, nil, false); err != nil {
					t.Fatal(err)
				}
			}
			prog, err := tree.Generate(f)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := Render(&b, prog); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			path := filepath.Join("testdata", tc.name+".pfc")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n%s", path, got)
			}
			// Every rule's syscall is named somewhere in the text.
			for nr := range tc.rules {
				if _, ok := tc.rules[nr]; ok && !strings.Contains(got, "$syscall") {
					t.Errorf("no syscall test in output")
				}
			}
		})
	}
}
