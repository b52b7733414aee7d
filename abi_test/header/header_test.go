// Package header_test checks seccomp.h, the C header seccomptree installs
// in place of libseccomp's, without building the library: the header must
// compile cleanly as C and C++, declare every libseccomp 2.6.1 function
// with C linkage, and give every name the value libseccomp 2.6.1 gives it.
//
// Values are checked twice: against the system's libseccomp header, for
// everything that release shares with 2.6.1, and against a table of 2.6.1
// facts, which also covers what the system release lacks.
package header_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// systemHeader is the header of the installed libseccomp (Debian ships
// 2.5.4), used as the reference for every name 2.5 and 2.6.1 share.
const systemHeader = "/usr/include/seccomp.h"

// lang is one way of compiling a consumer of the header.
type lang struct {
	name  string
	cc    string
	flags []string
}

var langs = []lang{
	{"c99", "gcc", []string{"-x", "c", "-std=c99"}},
	{"c11", "gcc", []string{"-x", "c", "-std=c11"}},
	{"c++11", "g++", []string{"-x", "c++", "-std=c++11"}},
	{"c++17", "g++", []string{"-x", "c++", "-std=c++17"}},
}

func (l lang) cplusplus() bool { return l.cc == "g++" }

// functions261 is every function libseccomp.so.2 exports in 2.6.1; each
// must be declared by the header.
var functions261 = []string{
	"seccomp_api_get", "seccomp_api_set",
	"seccomp_arch_add", "seccomp_arch_exist", "seccomp_arch_native",
	"seccomp_arch_remove", "seccomp_arch_resolve_name",
	"seccomp_attr_get", "seccomp_attr_set",
	"seccomp_export_bpf", "seccomp_export_bpf_mem", "seccomp_export_pfc",
	"seccomp_init", "seccomp_load", "seccomp_merge",
	"seccomp_notify_alloc", "seccomp_notify_fd", "seccomp_notify_free",
	"seccomp_notify_id_valid", "seccomp_notify_receive",
	"seccomp_notify_respond",
	"seccomp_precompute", "seccomp_release", "seccomp_reset",
	"seccomp_rule_add", "seccomp_rule_add_array", "seccomp_rule_add_exact",
	"seccomp_rule_add_exact_array",
	"seccomp_syscall_priority", "seccomp_syscall_resolve_name",
	"seccomp_syscall_resolve_name_arch",
	"seccomp_syscall_resolve_name_rewrite",
	"seccomp_syscall_resolve_num_arch",
	"seccomp_transaction_commit", "seccomp_transaction_reject",
	"seccomp_transaction_start",
	"seccomp_version",
}

// fact is one line testdata/api.c prints, with the value libseccomp
// 2.6.1's header produces on x86_64.
type fact struct {
	name  string
	value int64
}

// new261 is what 2.6 added or changed since 2.5: the only lines allowed
// to be missing from, or to differ in, the system header.
var new261 = []fact{
	{"SCMP_VER_MINOR", 6},
	{"SCMP_VER_MICRO", 1},
	{"signed(SCMP_VER_MINOR)", 1},
	{"signed(SCMP_VER_MICRO)", 1},
	{"sizeof(SCMP_VER_MINOR)", 4},
	{"sizeof(SCMP_VER_MICRO)", 4},
	{"_SCMP_FLTATR_MAX", 11},
	{"signed(_SCMP_FLTATR_MAX)", 1},
	{"sizeof(_SCMP_FLTATR_MAX)", 4},
	{"SCMP_FLTATR_CTL_WAITKILL", 10},
	{"signed(SCMP_FLTATR_CTL_WAITKILL)", 1},
	{"sizeof(SCMP_FLTATR_CTL_WAITKILL)", 4},
	{"SCMP_ARCH_LOONGARCH64", 0xc0000102},
	{"signed(SCMP_ARCH_LOONGARCH64)", 0},
	{"sizeof(SCMP_ARCH_LOONGARCH64)", 4},
	{"SCMP_ARCH_M68K", 4},
	{"signed(SCMP_ARCH_M68K)", 1},
	{"sizeof(SCMP_ARCH_M68K)", 4},
	{"SCMP_ARCH_SHEB", 0x2a},
	{"signed(SCMP_ARCH_SHEB)", 1},
	{"sizeof(SCMP_ARCH_SHEB)", 4},
	{"SCMP_ARCH_SH", 0x4000002a},
	{"signed(SCMP_ARCH_SH)", 1},
	{"sizeof(SCMP_ARCH_SH)", 4},
	{"EM_LOONGARCH", 258},
	{"signed(EM_LOONGARCH)", 1},
	{"sizeof(EM_LOONGARCH)", 4},
	{"AUDIT_ARCH_LOONGARCH64", 0xc0000102},
	{"signed(AUDIT_ARCH_LOONGARCH64)", 0},
	{"sizeof(AUDIT_ARCH_LOONGARCH64)", 4},
}

// facts261 is what the header must say whatever the system release; with
// new261 it covers the interface the library side must mirror.
var facts261 = []fact{
	{"SCMP_VER_MAJOR", 2},

	{"_SCMP_FLTATR_MIN", 0},
	{"SCMP_FLTATR_ACT_DEFAULT", 1},
	{"SCMP_FLTATR_ACT_BADARCH", 2},
	{"SCMP_FLTATR_CTL_NNP", 3},
	{"SCMP_FLTATR_CTL_TSYNC", 4},
	{"SCMP_FLTATR_API_TSKIP", 5},
	{"SCMP_FLTATR_CTL_LOG", 6},
	{"SCMP_FLTATR_CTL_SSB", 7},
	{"SCMP_FLTATR_CTL_OPTIMIZE", 8},
	{"SCMP_FLTATR_API_SYSRAWRC", 9},

	{"_SCMP_CMP_MIN", 0},
	{"SCMP_CMP_NE", 1},
	{"SCMP_CMP_LT", 2},
	{"SCMP_CMP_LE", 3},
	{"SCMP_CMP_EQ", 4},
	{"SCMP_CMP_GE", 5},
	{"SCMP_CMP_GT", 6},
	{"SCMP_CMP_MASKED_EQ", 7},
	{"_SCMP_CMP_MAX", 8},

	{"SCMP_ARCH_NATIVE", 0},
	{"SCMP_ARCH_X86", 0x40000003},
	{"SCMP_ARCH_X86_64", 0xc000003e},
	{"SCMP_ARCH_X32", 0x4000003e},
	{"SCMP_ARCH_ARM", 0x40000028},
	{"SCMP_ARCH_AARCH64", 0xc00000b7},
	{"SCMP_ARCH_MIPS", 0x8},
	{"SCMP_ARCH_MIPS64", 0x80000008},
	{"SCMP_ARCH_MIPS64N32", 0xa0000008},
	{"SCMP_ARCH_MIPSEL", 0x40000008},
	{"SCMP_ARCH_MIPSEL64", 0xc0000008},
	{"SCMP_ARCH_MIPSEL64N32", 0xe0000008},
	{"SCMP_ARCH_PPC", 0x14},
	{"SCMP_ARCH_PPC64", 0x80000015},
	{"SCMP_ARCH_PPC64LE", 0xc0000015},
	{"SCMP_ARCH_S390", 0x16},
	{"SCMP_ARCH_S390X", 0x80000016},
	{"SCMP_ARCH_PARISC", 0xf},
	{"SCMP_ARCH_PARISC64", 0x8000000f},
	{"SCMP_ARCH_RISCV64", 0xc00000f3},

	{"SCMP_ACT_KILL_PROCESS", 0x80000000},
	{"SCMP_ACT_KILL_THREAD", 0},
	{"SCMP_ACT_KILL", 0},
	{"SCMP_ACT_TRAP", 0x00030000},
	{"SCMP_ACT_NOTIFY", 0x7fc00000},
	{"SCMP_ACT_LOG", 0x7ffc0000},
	{"SCMP_ACT_ALLOW", 0x7fff0000},
	{"signed(SCMP_ACT_ALLOW)", 0},
	{"SCMP_ACT_ERRNO(0)", 0x00050000},
	{"SCMP_ACT_ERRNO(0x12345)", 0x00052345},
	{"SCMP_ACT_ERRNO(-1)", 0x0005ffff},
	{"signed(SCMP_ACT_ERRNO(-1))", 0},
	{"SCMP_ACT_TRACE(7)", 0x7ff00007},
	{"SCMP_ACT_TRACE(0x1ffff)", 0x7ff0ffff},

	{"__NR_SCMP_ERROR", -1},
	{"__NR_SCMP_UNDEF", -2},
	{"SCMP_SYS(read)", 0},
	{"SCMP_SYS(socket)", 41},
	{"SCMP_SYS(socketcall)", -10060},

	{"SCMP_A3_32(SCMP_CMP_LE,0x100000021ULL).datum_a", 0x21},
	{"SCMP_A5_32(SCMP_CMP_MASKED_EQ,-1,-35).arg", 5},
	{"SCMP_A5_32(SCMP_CMP_MASKED_EQ,-1,-35).op", 7},
	{"SCMP_A5_32(SCMP_CMP_MASKED_EQ,-1,-35).datum_a", 0xffffffff},
	{"SCMP_A5_32(SCMP_CMP_MASKED_EQ,-1,-35).datum_b", 0xffffffdd},

	{"sizeof(scmp_filter_ctx)", 8},
	{"sizeof(scmp_datum_t)", 8},
	{"sizeof(enum scmp_filter_attr)", 4},
	{"sizeof(enum scmp_compare)", 4},
	{"sizeof(struct scmp_version)", 12},
	{"offsetof(struct scmp_version.micro)", 8},
	{"sizeof(struct scmp_arg_cmp)", 24},
	{"offsetof(struct scmp_arg_cmp.arg)", 0},
	{"offsetof(struct scmp_arg_cmp.op)", 4},
	{"offsetof(struct scmp_arg_cmp.datum_a)", 8},
	{"offsetof(struct scmp_arg_cmp.datum_b)", 16},
	{"sizeof(struct seccomp_data)", 64},
	{"sizeof(struct seccomp_notif)", 80},
	{"offsetof(struct seccomp_notif.data)", 16},
	{"sizeof(struct seccomp_notif_resp)", 24},
	{"offsetof(struct seccomp_notif_resp.error)", 16},
	{"offsetof(struct seccomp_notif_resp.flags)", 20},
}

// require skips the test when a prerequisite of the machine is missing,
// except under CI, where the environment is supposed to be complete.
func require(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing", what)
	}
	t.Skipf("%s is missing (set CI=true to make this a failure)", what)
}

func requireCompilers(t *testing.T) {
	t.Helper()
	for _, cc := range []string{"gcc", "g++"} {
		_, err := exec.LookPath(cc)
		require(t, cc, err == nil)
	}
}

func requireSystemHeader(t *testing.T) {
	t.Helper()
	_, err := os.Stat(systemHeader)
	require(t, systemHeader+" (libseccomp-dev)", err == nil)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from the test directory: %v", err)
	}
	return root
}

// ourInclude returns a directory holding only the repository's public
// headers, so nothing else in the tree can be picked up by accident.
// Without a seccomp-syscalls.h in the repository the compiler falls back
// to the system's, which is good enough for the few SCMP_SYS() uses here.
func ourInclude(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	dir := t.TempDir()
	for _, h := range []string{"seccomp.h", "seccomp-syscalls.h"} {
		src := filepath.Join(root, h)
		if _, err := os.Stat(src); err != nil {
			if h == "seccomp.h" {
				t.Fatalf("public header missing: %v", err)
			}
			t.Logf("%s not in the repository; using the system copy", h)
			continue
		}
		if err := os.Symlink(src, filepath.Join(dir, h)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func testdata(name string) string { return filepath.Join("testdata", name) }

// compile runs l's compiler with args and fails the test with the
// compiler's diagnostics if it does not succeed.
func compile(t *testing.T, l lang, args ...string) {
	t.Helper()
	argv := append(slices.Clone(l.flags), args...)
	out, err := exec.Command(l.cc, argv...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", l.cc, strings.Join(argv, " "), err, out)
	}
}

// values builds testdata/api.c as l with the given extra arguments, runs
// it and returns what it printed, keyed by name.
func values(t *testing.T, l lang, args ...string) map[string]string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "api")
	compile(t, l, append(args, "-Wall", "-Werror", testdata("api.c"), "-o", bin)...)
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	vals := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		// Names may contain spaces ("sizeof(struct x)"); values never do.
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if i <= 0 {
			t.Fatalf("malformed line %q", line)
		}
		name, val := line[:i], line[i+1:]
		if _, dup := vals[name]; dup {
			t.Fatalf("%s printed twice", name)
		}
		vals[name] = val
	}
	if len(vals) == 0 {
		t.Fatal("api.c printed nothing")
	}
	return vals
}

// TestCompiles builds api.c, which names every declaration of the header
// and takes each function's address through a pointer of the documented
// type, with warnings fatal.  The system header goes through the same
// build so that a failure can be told apart from a broken test file.
func TestCompiles(t *testing.T) {
	requireCompilers(t)
	inc := ourInclude(t)
	for _, l := range langs {
		t.Run(l.name+"/ours", func(t *testing.T) {
			t.Parallel()
			obj := filepath.Join(t.TempDir(), "api.o")
			compile(t, l, "-Wall", "-Werror", "-DAPI_2_6", "-DAPI_PROTOTYPES",
				"-I", inc, "-c", testdata("api.c"), "-o", obj)
			checkLinkage(t, obj, functions261)
		})
		t.Run(l.name+"/system", func(t *testing.T) {
			t.Parallel()
			requireSystemHeader(t)
			compile(t, l, "-Wall", "-Werror", "-DAPI_PROTOTYPES",
				"-c", testdata("api.c"), "-o", filepath.Join(t.TempDir(), "api.o"))
		})
	}
}

// checkLinkage makes sure obj refers to every function by its plain C
// name.  In C++ this fails if the extern "C" block is missing or leaks.
func checkLinkage(t *testing.T, obj string, want []string) {
	t.Helper()
	out, err := exec.Command("nm", "--undefined-only", "--format=just-symbols", obj).Output()
	if err != nil {
		require(t, "nm (binutils)", false)
	}
	undef := strings.Fields(string(out))
	for _, fn := range want {
		if !slices.Contains(undef, fn) {
			t.Errorf("%s: no C-linkage reference to %s (undefined: %v)", obj, fn, undef)
		}
	}
}

// TestStrict builds a small consumer with every warning a careful project
// might enable.  The header must be included with -I, not from a system
// directory, because GCC silences diagnostics inside system headers.
func TestStrict(t *testing.T) {
	requireCompilers(t)
	inc := ourInclude(t)
	for _, l := range append(slices.Clone(langs),
		lang{"c17", "gcc", []string{"-x", "c", "-std=c17"}},
		lang{"c++20", "g++", []string{"-x", "c++", "-std=c++20"}}) {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			compile(t, l, "-Wall", "-Wextra", "-pedantic", "-Werror",
				"-I", inc, "-c", testdata("strict.c"),
				"-o", filepath.Join(t.TempDir(), "strict.o"))
		})
	}
}

// TestMatchesSystemHeader compares every value our header shares with the
// system's libseccomp header.  What ours prints beyond that must be a
// 2.6 addition listed in facts261, so nothing goes unchecked.
func TestMatchesSystemHeader(t *testing.T) {
	requireCompilers(t)
	requireSystemHeader(t)
	inc := ourInclude(t)
	changed := map[string]bool{}
	for _, f := range new261 {
		changed[f.name] = true
	}
	for _, l := range langs {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			sys := values(t, l)
			ours := values(t, l, "-DAPI_2_6", "-I", inc)
			for name, want := range sys {
				got, ok := ours[name]
				switch {
				case !ok:
					t.Errorf("%s: printed for the system header only", name)
				case changed[name]:
					// A deliberate 2.6 change; TestFacts checks it.
				case got != want:
					t.Errorf("%s = %s, system header says %s", name, got, want)
				}
			}
			for name := range ours {
				if _, ok := sys[name]; !ok && !changed[name] {
					t.Errorf("%s: not in the system header and not a listed 2.6 fact", name)
				}
			}
		})
	}
}

// TestFacts checks the values libseccomp 2.6.1's header is known to
// produce, including those the system header cannot vouch for.
func TestFacts(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("facts261 describes x86_64")
	}
	requireCompilers(t)
	inc := ourInclude(t)
	for _, l := range langs {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			ours := values(t, l, "-DAPI_2_6", "-I", inc)
			for _, f := range slices.Concat(facts261, new261) {
				want := strconv.FormatInt(f.value, 10)
				if got, ok := ours[f.name]; !ok {
					t.Errorf("%s: not printed", f.name)
				} else if got != want {
					t.Errorf("%s = %s, want %s", f.name, got, want)
				}
			}
		})
	}
}

// TestArchTokensMatchEngine ties the header's SCMP_ARCH_* tokens to the
// table the library itself uses, in both directions.
func TestArchTokensMatchEngine(t *testing.T) {
	requireCompilers(t)
	ours := values(t, langs[1], "-DAPI_2_6", "-I", ourInclude(t))
	token := regexp.MustCompile(`^SCMP_ARCH_(\w+)$`)
	seen := map[string]bool{}
	for name, val := range ours {
		m := token.FindStringSubmatch(name)
		if m == nil || m[1] == "NATIVE" {
			continue
		}
		a, ok := arch.ByName(strings.ToLower(m[1]))
		if !ok {
			t.Errorf("%s: engine/arch has no %q", name, strings.ToLower(m[1]))
			continue
		}
		seen[a.Name] = true
		if got := strconv.FormatUint(uint64(a.Token), 10); got != val {
			t.Errorf("%s = %s, engine/arch token is %s", name, val, got)
		}
	}
	for _, a := range arch.All {
		if !seen[a.Name] {
			t.Errorf("engine/arch %q has no SCMP_ARCH_%s in the header", a.Name, strings.ToUpper(a.Name))
		}
	}
}

// TestOldSystemHeaders builds api.c against stand-ins for an old C
// library and old kernel headers (testdata/oldinc), which lack the
// AUDIT_ARCH_*, EM_* and notification definitions the header has to
// supply itself.  The results must not change.  The system header goes
// through the same comparison to show the stand-ins are realistic.
func TestOldSystemHeaders(t *testing.T) {
	requireCompilers(t)
	inc := ourInclude(t)
	old, err := filepath.Abs(testdata("oldinc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []lang{langs[1], langs[3]} {
		t.Run(l.name+"/ours", func(t *testing.T) {
			t.Parallel()
			same(t, values(t, l, "-DAPI_2_6", "-I", inc),
				values(t, l, "-DAPI_2_6", "-I", old, "-I", inc))
		})
		t.Run(l.name+"/system", func(t *testing.T) {
			t.Parallel()
			requireSystemHeader(t)
			same(t, values(t, l), values(t, l, "-I", old))
		})
	}
}

func same(t *testing.T, modern, old map[string]string) {
	t.Helper()
	for name, want := range modern {
		if got, ok := old[name]; !ok {
			t.Errorf("%s: missing with old headers", name)
		} else if got != want {
			t.Errorf("%s = %s with old headers, %s with current ones", name, got, want)
		}
	}
	for name := range old {
		if _, ok := modern[name]; !ok {
			t.Errorf("%s: printed with old headers only", name)
		}
	}
}

// Helper macros of the header that are not API; they are exercised
// through SCMP_CMP32() and friends.
var internalMacros = map[string]bool{
	"_SECCOMP_H":                   true,
	"_SCMP_VA_NUM_ARGS":            true,
	"_SCMP_VA_NUM_ARGS_IMPL":       true,
	"_SCMP_MACRO_DISPATCHER":       true,
	"_SCMP_MACRO_DISPATCHER_IMPL1": true,
	"_SCMP_MACRO_DISPATCHER_IMPL2": true,
	"_SCMP_CMP32_1":                true,
	"_SCMP_CMP32_2":                true,
}

var (
	commentRE  = regexp.MustCompile(`(?s)/\*.*?\*/`)
	defineRE   = regexp.MustCompile(`(?m)^\s*#\s*define\s+(\w+)`)
	enumRE     = regexp.MustCompile(`(?s)enum\s+\w+\s*\{(.*?)\}`)
	enumItemRE = regexp.MustCompile(`(\w+)\s*(?:=[^,]*)?,`)
	structRE   = regexp.MustCompile(`(?s)struct\s+(\w+)\s*\{(.*?)\}`)
	memberRE   = regexp.MustCompile(`(\w+)\s*(?:\[\w*\])?\s*;`)
	funcRE     = regexp.MustCompile(`(?m)^[a-z].*?\b(seccomp_\w+)\(`)
)

// TestCoverage keeps api.c honest: every macro, enumerator, structure
// member and function the header declares must be used there, and the
// functions must be exactly libseccomp 2.6.1's.
func TestCoverage(t *testing.T) {
	hdr, err := os.ReadFile(filepath.Join(repoRoot(t), "seccomp.h"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(testdata("api.c"))
	if err != nil {
		t.Fatal(err)
	}
	code := commentRE.ReplaceAllString(string(hdr), "")
	api := commentRE.ReplaceAllString(string(src), "")
	used := func(name string) bool {
		return regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(api)
	}

	var names []string
	for _, m := range defineRE.FindAllStringSubmatch(code, -1) {
		if !internalMacros[m[1]] {
			names = append(names, m[1])
		}
	}
	for _, e := range enumRE.FindAllStringSubmatch(code, -1) {
		for _, m := range enumItemRE.FindAllStringSubmatch(e[1]+",", -1) {
			names = append(names, m[1])
		}
	}
	for _, name := range names {
		if !used(name) {
			t.Errorf("api.c does not use %s", name)
		}
	}

	for _, s := range structRE.FindAllStringSubmatch(code, -1) {
		for _, m := range memberRE.FindAllStringSubmatch(s[2], -1) {
			want := "FIELD(struct " + s[1] + ", " + m[1] + ")"
			if !strings.Contains(api, want) {
				t.Errorf("api.c lacks %s", want)
			}
		}
	}

	var funcs []string
	for _, m := range funcRE.FindAllStringSubmatch(code, -1) {
		funcs = append(funcs, m[1])
		if !used(m[1]) {
			t.Errorf("api.c does not use %s()", m[1])
		}
	}
	slices.Sort(funcs)
	want := slices.Sorted(slices.Values(functions261))
	if !slices.Equal(funcs, want) {
		t.Errorf("header declares %v\nlibseccomp 2.6.1 exports %v", funcs, want)
	}
}
