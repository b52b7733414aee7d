package syscalls

import (
	"slices"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// Numbers here are written down from the kernel's syscall tables, not
// from the generated data, so a broken import shows up.
func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		abi, name string
		want      int32
	}{
		{"x86_64", "read", 0},
		{"x86_64", "openat", 257},
		{"x86_64", "socket", 41},
		{"x86_64", "arch_prctl", 158},
		{"x86_64", "uretprobe", 335},
		{"x86", "socketcall", 102},
		{"x86", "socket", 359},
		{"x86", "_llseek", 140},
		{"x32", "read", 0x40000000},
		{"x32", "ioctl", 0x40000000 | 514},
		{"x32", "execveat", 0x40000000 | 545},
		{"arm", "breakpoint", 0x0f0001},
		{"arm", "get_tls", 0x0f0006},
		{"arm", "arm_fadvise64_64", 270},
		{"aarch64", "openat", 56},
		{"aarch64", "mseal", 462},
		{"loongarch64", "clone3", 435},
		{"m68k", "atomic_barrier", 336},
		{"mips", "read", 4003},
		{"mipsel", "read", 4003},
		{"mips64", "read", 5000},
		{"mipsel64", "read", 5000},
		{"mips64n32", "read", 6000},
		{"mipsel64n32", "read", 6000},
		{"mips64n32", "fchmodat2", 6452},
		{"parisc", "cacheflush", 356},
		{"parisc64", "cacheflush", 356},
		{"ppc", "switch_endian", 363},
		{"ppc64le", "sys_debug_setcontext", 256},
		{"riscv64", "riscv_flush_icache", 259},
		{"s390", "socketcall", 102},
		{"s390", "setxattrat", 463},
		{"s390x", "s390_guarded_storage", 378},
		{"sh", "cacheflush", 123},
		{"sheb", "cacheflush", 123},
		{"x86_64", "listns", 470},
		// Calls an ABI lacks resolve to libseccomp's pseudo numbers.
		{"aarch64", "open", -10166},
		{"x86_64", "socketcall", -10060},
		{"x86", "arch_prctl", 384},
		{"aarch64", "arch_prctl", -10001},
		{"x86", "socket", 359},
		{"s390", "accept", -105},
		{"x86_64", "sys_debug_setcontext", -10191},
		{"x86_64", "switch_endian", -10191},
	} {
		got, ok := Number(arch.MustByName(tc.abi), tc.name)
		if !ok || got != tc.want {
			t.Errorf("Number(%s, %s) = %d, %t; want %d", tc.abi, tc.name, got, ok, tc.want)
		}
	}
}

func TestUnknown(t *testing.T) {
	x86_64 := arch.MustByName("x86_64")
	for _, name := range []string{"", "no_such_call", "READ", "__NR_read", "unused18"} {
		if nr, ok := Number(x86_64, name); ok {
			t.Errorf("Number(x86_64, %q) = %d, want unknown", name, nr)
		}
	}
	// ARM's alias names no second call.
	if nr, ok := Number(arch.MustByName("arm"), "sync_file_range2"); ok && nr >= 0 {
		t.Errorf("Number(arm, sync_file_range2) = %d, want no real number", nr)
	}
	if _, ok := Number(nil, "read"); ok {
		t.Error("Number(nil, read) resolved")
	}
	if _, ok := Number(&arch.Arch{Name: "vax"}, "read"); ok {
		t.Error("Number(vax, read) resolved")
	}
	if m := Table(&arch.Arch{Name: "vax"}); m != nil {
		t.Errorf("Table(vax) = %d entries, want nil", len(m))
	}
}

func TestName(t *testing.T) {
	for _, tc := range []struct {
		abi  string
		nr   int32
		want string // "" for no name
	}{
		{"x86_64", 0, "read"},
		{"x86_64", 41, "socket"},
		{"x32", 0x40000000, "read"},
		{"x32", 0, ""}, // x32 numbers carry the bit
		{"mips", 4003, "read"},
		{"mips", 3, ""},
		{"arm", 0x0f0005, "set_tls"},
		{"x86_64", 100000, ""},
		// A pseudo number names the call only where it stands in for it.
		{"aarch64", -10001, "arch_prctl"},
		{"x86_64", -10001, ""},
		{"x86", -101, ""}, // x86 has socket(2) as well as socketcall(2)
		{"s390", -105, "accept"},
		{"x86_64", -10191, "sys_debug_setcontext"},
		{"ppc", -10191, ""},
		{"x86_64", -1, ""},
		{"x86_64", -99999, ""},
	} {
		got, ok := Name(arch.MustByName(tc.abi), tc.nr)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Name(%s, %d) = %q, %t; want %q", tc.abi, tc.nr, got, ok, tc.want)
		}
	}
}

func TestPseudo(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int32 // 0: none
	}{
		{"socket", -101},
		{"sendmmsg", -120},
		{"semop", -201},
		{"shmctl", -224},
		{"arch_prctl", -10001},
		{"sys_debug_setcontext", -10191},
		{"switch_endian", -10191},
		{"read", 0},
		{"no_such_call", 0},
	} {
		got, ok := Pseudo(tc.name)
		if got != tc.want || ok != (tc.want != 0) {
			t.Errorf("Pseudo(%s) = %d, %t; want %d", tc.name, got, ok, tc.want)
		}
	}
}

// Every name libseccomp knows must resolve on every ABI, and the two
// directions must agree.
func TestConsistency(t *testing.T) {
	if len(columns) != len(arch.All) {
		t.Fatalf("%d columns for %d ABIs", len(columns), len(arch.All))
	}
	for _, a := range arch.All {
		if _, ok := col(a); !ok {
			t.Errorf("%s: no table", a)
			continue
		}
		table := Table(a)
		if len(table) < 250 {
			t.Errorf("%s: only %d syscalls", a, len(table))
		}
		for name, nr := range table {
			if nr < 0 {
				t.Errorf("%s: Table has %s = %d", a, name, nr)
			}
			if got, _ := Name(a, nr); got != name {
				t.Errorf("%s: Name(%d) = %q, want %q", a, nr, got, name)
			}
			if got, _ := Number(a, name); got != nr {
				t.Errorf("%s: Number(%s) = %d, want %d", a, name, got, nr)
			}
		}
		for nr, name := range Numbers(a) {
			if table[name] != nr {
				t.Errorf("%s: Numbers has %d = %s, Table says %d", a, nr, name, table[name])
			}
		}
		for _, r := range rows {
			nr, ok := Number(a, r.name)
			if r.libseccomp && !ok {
				t.Errorf("%s: libseccomp's %s does not resolve", a, r.name)
			}
			if ok && nr < 0 {
				if got, _ := Name(a, nr); got != r.name && nr != -10191 {
					t.Errorf("%s: Name(%d) = %q, want %q", a, nr, got, r.name)
				}
			}
		}
		if a.IsX32Sibling() {
			for name, nr := range table {
				if nr&arch.X32SyscallBit == 0 {
					t.Errorf("x32 %s = %#x lacks the x32 bit", name, nr)
				}
			}
		}
	}
	// ABIs that differ only in byte order share a numbering.
	for _, pair := range [][2]string{{"mips", "mipsel"}, {"mips64", "mipsel64"}, {"mips64n32", "mipsel64n32"}, {"ppc64", "ppc64le"}, {"sh", "sheb"}} {
		a, b := Table(arch.MustByName(pair[0])), Table(arch.MustByName(pair[1]))
		if len(a) != len(b) {
			t.Errorf("%s has %d calls, %s %d", pair[0], len(a), pair[1], len(b))
		}
		for name, nr := range a {
			if b[name] != nr {
				t.Errorf("%s %s = %d, %s has %d", pair[0], name, nr, pair[1], b[name])
			}
		}
	}
}

func TestNames(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) {
		t.Error("Names not sorted")
	}
	if len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Error("Names has duplicates")
	}
	for _, want := range []string{"read", "socket", "breakpoint", "fchmodat2", "map_shadow_stack", "futex_waitv", "cachestat", "lsm_list_modules", "mseal", "listmount", "statmount", "setxattrat", "getxattrat", "listxattrat", "removexattrat", "uretprobe"} {
		if _, ok := slices.BinarySearch(names, want); !ok {
			t.Errorf("Names lacks %s", want)
		}
	}
	names[0] = "clobbered"
	if Names()[0] == "clobbered" {
		t.Error("Names returned shared storage")
	}
	x86_64 := arch.MustByName("x86_64")
	Table(x86_64)["read"] = 99
	if nr, _ := Number(x86_64, "read"); nr != 0 {
		t.Error("Table returned shared storage")
	}
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		abi, name string
		want      int32
	}{
		{"x86_64", "socket", 41},
		{"x86", "socket", -101}, // multiplexed: socket(2) and socketcall(2)
		{"s390x", "semop", -201},
		{"ppc64le", "accept4", -118},
		{"aarch64", "semop", 193},
		{"x86", "read", 3},
		{"x86", "socketcall", 102},
		{"x32", "read", 0x40000000},
	} {
		got, ok := Resolve(arch.MustByName(tc.abi), tc.name)
		if !ok || got != tc.want {
			t.Errorf("Resolve(%s, %s) = %d, %t; want %d", tc.abi, tc.name, got, ok, tc.want)
		}
	}
	if _, ok := Resolve(arch.MustByName("x86"), "no_such_call"); ok {
		t.Error("Resolve(x86, no_such_call) resolved")
	}
}

func TestResolveNum(t *testing.T) {
	for _, tc := range []struct {
		abi  string
		nr   int32
		want string
	}{
		{"x86", -101, "socket"},
		{"x86", 359, "socket"},
		{"x86_64", -101, ""},
		{"sh", -224, "shmctl"},
		{"x32", 2, "open"},
		{"x32", 0x40000002, "open"},
		{"mips", 3, "read"},
		{"mips", 4003, "read"},
		{"mips64", 0, "read"},
		{"mips64n32", 6000, "read"},
		{"mips64", 4003, ""},
		{"aarch64", -10001, "arch_prctl"},
		{"x86_64", -10001, ""},
	} {
		got, ok := ResolveNum(arch.MustByName(tc.abi), tc.nr)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("ResolveNum(%s, %d) = %q, %t; want %q", tc.abi, tc.nr, got, ok, tc.want)
		}
	}
	if _, ok := ResolveNum(nil, 0); ok {
		t.Error("ResolveNum(nil, 0) resolved")
	}
}

func BenchmarkNumber(b *testing.B) {
	a := arch.MustByName("x86_64")
	for b.Loop() {
		Number(a, "openat")
	}
}

func BenchmarkName(b *testing.B) {
	a := arch.MustByName("x86_64")
	for b.Loop() {
		Name(a, 257)
	}
}
