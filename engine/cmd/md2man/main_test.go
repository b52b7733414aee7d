package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// root is the repository, two levels above this package.
var root = filepath.Join("..", "..", "..")

// publicFunctions lists the functions seccomp.h declares: the library's
// ABI, which the man pages must cover.
func publicFunctions(t *testing.T) []string {
	t.Helper()
	hdr, err := os.ReadFile(filepath.Join(root, "seccomp.h"))
	if err != nil {
		t.Fatal(err)
	}
	// A declaration starts in column 0 with its type; comments and macro
	// bodies mentioning a function do not.
	decl := regexp.MustCompile(`(?m)^[a-z][^(\n]*?\b\*?(seccomp_[a-z_]+)\(`)
	var names []string
	for _, m := range decl.FindAllSubmatch(hdr, -1) {
		names = append(names, string(m[1]))
	}
	slices.Sort(names)
	names = slices.Compact(names)
	// libseccomp 2.6.1 exports 37 functions; fewer means the parse broke.
	if len(names) != 37 {
		t.Fatalf("found %d functions in seccomp.h, want libseccomp 2.6.1's 37: %v", len(names), names)
	}
	return names
}

func sources(t *testing.T) []string {
	t.Helper()
	srcs, err := filepath.Glob(filepath.Join(root, "capi", "man", "*.md"))
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no man page sources: %v", err)
	}
	return srcs
}

// TestEveryFunctionDocumented generates the pages and checks that each
// public function has a page or an alias to one, and that every page
// has the sections a reader looks for.
func TestEveryFunctionDocumented(t *testing.T) {
	out := t.TempDir()
	for _, src := range sources(t) {
		if err := convert(out, src); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		md, _ := os.ReadFile(src)
		want := []string{"# NAME", "# SYNOPSIS", "# DESCRIPTION", "# SEE ALSO"}
		if strings.HasSuffix(src, ".3.md") {
			want = append(want, "# RETURN VALUE", "#include <seccomp.h>")
		} else {
			want = append(want, "# EXIT STATUS")
		}
		for _, w := range want {
			if !bytes.Contains(md, []byte(w)) {
				t.Errorf("%s lacks %q", filepath.Base(src), w)
			}
		}
	}
	checkPages(t, out, publicFunctions(t))
}

// checkPages checks dir/man3 has roff or an alias for every function, and
// that every alias points at a page that exists.
func checkPages(t *testing.T, dir string, funcs []string) {
	t.Helper()
	for _, fn := range funcs {
		b, err := os.ReadFile(filepath.Join(dir, "man3", fn+".3"))
		if err != nil {
			t.Errorf("no page for %s: %v", fn, err)
			continue
		}
		if target, ok := strings.CutPrefix(string(b), ".so "); ok {
			target = strings.TrimSpace(target)
			main, err := os.ReadFile(filepath.Join(dir, target))
			if err != nil {
				t.Errorf("%s: alias to missing %s", fn, target)
				continue
			}
			b = main
		}
		if !bytes.Contains(b, []byte(".TH ")) || !bytes.Contains(b, []byte(".SH NAME")) {
			t.Errorf("%s: not a man page:\n%.200s", fn, b)
		}
		if !bytes.Contains(b, []byte(strings.ReplaceAll(fn, "-", `\-`))) {
			t.Errorf("%s: its page never mentions it", fn)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "man1", "seccomptree.1")); err != nil {
		t.Errorf("no page for the seccomptree command: %v", err)
	}
}

// buildDir is where make put its output.
func buildDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SECCOMPTREE_LIBDIR")
	if dir == "" {
		dir = filepath.Join(root, "build")
	}
	if _, err := os.Stat(filepath.Join(dir, "man", "man3")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("make did not produce %s/man: %v", dir, err)
		}
		t.Skipf("no %s/man (run make first): %v", dir, err)
	}
	return dir
}

// TestMakeOutput checks what make built, not only what the generator
// can build.
func TestMakeOutput(t *testing.T) {
	dir := buildDir(t)
	checkPages(t, filepath.Join(dir, "man"), publicFunctions(t))
}

// TestManRenders renders pages with man(1), the way a user reads them.
func TestManRenders(t *testing.T) {
	dir := filepath.Join(buildDir(t), "man")
	if _, err := exec.LookPath("man"); err != nil {
		t.Skip("man is not installed")
	}
	for _, tt := range []struct{ page, want string }{
		{"man3/seccomp_rule_add.3", "seccomp_rule_add_exact_array"},
		{"man3/seccomp_reset.3", "seccomp_init, seccomp_reset"}, // an alias
		{"man1/seccomptree.1", "EXIT STATUS"},
	} {
		cmd := exec.Command("man", "-l", tt.page)
		cmd.Dir = dir // .so paths are relative to the manual's root
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || stderr.Len() > 0 {
			t.Errorf("man -l %s: %v: %s", tt.page, err, stderr.String())
			continue
		}
		// Without a terminal, man may still embolden by overstriking.
		text := overstrike.ReplaceAllString(string(out), "")
		if !strings.Contains(text, tt.want) {
			t.Errorf("man -l %s lacks %q:\n%.400s", tt.page, tt.want, out)
		}
	}
}

var overstrike = regexp.MustCompile(".\x08")

func TestPageNames(t *testing.T) {
	tests := []struct {
		md   string
		want []string
		ok   bool
	}{
		{"x\n===\n\n# NAME\n\nseccomp_a, seccomp_b - do things\n", []string{"seccomp_a", "seccomp_b"}, true},
		{"# NAME\n**tool** \\- a tool\n", []string{"tool"}, true},
		{"# NAME\n\nno separator here\n", nil, false},
		{"# SYNOPSIS\n\nx - y\n", nil, false},
	}
	for _, tt := range tests {
		got, err := pageNames([]byte(tt.md))
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("pageNames(%q) = %q, %v; want %q", tt.md, got, err, tt.want)
		}
	}
}
