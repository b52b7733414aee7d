package syscalls

import (
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// TestRowOf checks the name index against a plain scan of the rows, on
// every name and on near misses of each.
func TestRowOf(t *testing.T) {
	for i := range rows {
		name := rows[i].name
		if r := rowOf(name); r != &rows[i] {
			t.Errorf("rowOf(%q) = %v, want row %d", name, r, i)
		}
		for _, miss := range []string{name + "x", name[:len(name)-1], "x" + name, name + "\x00"} {
			want := (*row)(nil)
			for j := range rows {
				if rows[j].name == miss {
					want = &rows[j]
				}
			}
			if r := rowOf(miss); r != want {
				t.Errorf("rowOf(%q) = %v, want %v", miss, r, want)
			}
		}
	}
	for _, s := range []string{"", "a", "abcdefgh", "abcdefghi", "\xff\xff\xff\xff\xff\xff\xff\xff\xff"} {
		if r := rowOf(s); r != nil {
			t.Errorf("rowOf(%q) = %q", s, r.name)
		}
	}
}

// TestColForeignArch checks that an Arch value other than arch.All's own
// still finds its column by name.
func TestColForeignArch(t *testing.T) {
	for _, a := range arch.All {
		c := *a
		if got, ok := Number(&c, "read"); !ok || got != must(Number(a, "read")) {
			t.Errorf("%s: a copy of the Arch resolves read to %d, %t", a.Name, got, ok)
		}
	}
	if _, ok := Number(&arch.Arch{Name: "vax"}, "read"); ok {
		t.Error("an unknown ABI resolves read")
	}
}

func must(nr int32, ok bool) int32 {
	if !ok {
		panic("unresolved")
	}
	return nr
}

// TestTranslate checks Translate against the two lookups it stands for,
// for every pair of ABIs and every number either could name.
func TestTranslate(t *testing.T) {
	var nrs []int32
	for nr := int32(-1); nr < 1100; nr++ {
		nrs = append(nrs, nr)
	}
	for _, base := range []int32{4000, 5000, 6000, arch.X32SyscallBit, 0x0f0000} {
		for nr := base; nr < base+600; nr++ {
			nrs = append(nrs, nr)
		}
	}
	for i := range rows {
		if p := rows[i].pseudo; p != 0 {
			nrs = append(nrs, p)
		}
	}
	for nr := int32(-230); nr < -99; nr++ {
		nrs = append(nrs, nr)
	}
	for _, from := range arch.All {
		for _, to := range arch.All {
			for _, nr := range nrs {
				var want int32
				name, ok := ResolveNum(from, nr)
				if ok {
					want, ok = Resolve(to, name)
				}
				got, gok := Translate(from, to, nr)
				if gok != ok || got != want {
					t.Fatalf("Translate(%s, %s, %d) = %d, %t; want %d, %t (%q)", from.Name, to.Name, nr, got, gok, want, ok, name)
				}
			}
		}
	}
}

// demultiplexByName is Demultiplex as composed from the name-based
// lookups, which Demultiplex shortcuts by row.
func demultiplexByName(a *arch.Arch, nr int32) (r Route, ok bool, err error) {
	if a == nil || !a.Multiplexed {
		return Route{}, false, nil
	}
	pseudo := nr
	switch {
	case isMuxPseudo(nr):
		rs := byPseudo[nr]
		if len(rs) == 0 {
			return Route{}, true, ErrNoCall
		}
		r.Name = rs[0].name
	case nr > 0:
		name, found := ResolveNum(a, nr)
		if !found {
			return Route{}, false, nil
		}
		p, found := Pseudo(name)
		if !found || !isMuxPseudo(p) {
			return Route{}, false, nil
		}
		r.Name, pseudo = name, p
	default:
		return Route{}, false, nil
	}
	mux, base := "socketcall", int32(100)
	if IsIPCPseudo(pseudo) {
		mux, base = "ipc", 200
	}
	m, found := Number(a, mux)
	if !found || m < 0 {
		return Route{}, false, nil
	}
	r.Mux, r.Call = m, uint64(-pseudo%base)
	if nr > 0 {
		r.Direct = nr
	} else if r.Direct, found = Number(a, r.Name); !found {
		r.Direct = pseudo
	}
	return r, true, nil
}

func TestDemultiplexByRow(t *testing.T) {
	var nrs []int32
	for nr := int32(-300); nr < 1100; nr++ {
		nrs = append(nrs, nr)
	}
	for _, base := range []int32{4000, 5000, 6000, arch.X32SyscallBit} {
		for nr := base; nr < base+600; nr++ {
			nrs = append(nrs, nr)
		}
	}
	for _, a := range arch.All {
		for _, nr := range nrs {
			r, ok, err := Demultiplex(a, nr)
			wr, wok, werr := demultiplexByName(a, nr)
			if r != wr || ok != wok || err != werr {
				t.Fatalf("Demultiplex(%s, %d) = %+v, %t, %v; want %+v, %t, %v", a.Name, nr, r, ok, err, wr, wok, werr)
			}
		}
	}
}

// TestRowOfNumber checks the dense number index against the map.
func TestRowOfNumber(t *testing.T) {
	for c := range columns {
		m := numbers(c)
		for nr, r := range m {
			if got := rowOfNumber(c, nr); got != r {
				t.Errorf("%s: rowOfNumber(%d) = %v, want %s", columns[c], nr, got, r.name)
			}
		}
		for _, base := range []int32{0, 4000, 5000, 6000, arch.X32SyscallBit, 0x0f0000} {
			for nr := base; nr < base+2*denseNumbers; nr++ {
				if got, want := rowOfNumber(c, nr), m[nr]; got != want {
					t.Fatalf("%s: rowOfNumber(%d) = %v, want %v", columns[c], nr, got, want)
				}
			}
		}
	}
}
