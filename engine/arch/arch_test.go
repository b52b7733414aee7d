package arch

import "testing"

// The tokens are the ABI: compiled C programs pass them in.
func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token Token
	}{
		{"x86", 0x40000003},
		{"x86_64", 0xc000003e},
		{"x32", 0x4000003e},
		{"arm", 0x40000028},
		{"aarch64", 0xc00000b7},
		{"loongarch64", 0xc0000102},
		{"m68k", 0x00000004},
		{"mips", 0x00000008},
		{"mipsel", 0x40000008},
		{"mips64", 0x80000008},
		{"mipsel64", 0xc0000008},
		{"mips64n32", 0xa0000008},
		{"mipsel64n32", 0xe0000008},
		{"parisc", 0x0000000f},
		{"parisc64", 0x8000000f},
		{"ppc", 0x00000014},
		{"ppc64", 0x80000015},
		{"ppc64le", 0xc0000015},
		{"riscv64", 0xc00000f3},
		{"s390", 0x00000016},
		{"s390x", 0x80000016},
		{"sh", 0x4000002a},
		{"sheb", 0x0000002a},
	} {
		a, ok := ByName(tc.name)
		if !ok {
			t.Errorf("%s: unknown", tc.name)
			continue
		}
		if a.Token != tc.token {
			t.Errorf("%s: token %#x, want %#x", tc.name, a.Token, tc.token)
		}
		if b, _ := ByToken(tc.token); b != a {
			t.Errorf("ByToken(%#x) = %v, want %s", tc.token, b, tc.name)
		}
	}
	if len(All) != 23 {
		t.Errorf("%d ABIs, want 23", len(All))
	}
}

func TestHost(t *testing.T) {
	if Host() == nil {
		t.Fatal("no host ABI")
	}
	if a, _ := ByToken(Native); a != Host() {
		t.Errorf("ByToken(Native) = %v, want %v", a, Host())
	}
}
