package syscalls

import (
	"errors"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
)

func TestDemultiplex(t *testing.T) {
	tests := []struct {
		abi     string
		nr      int32
		mux     bool
		want    Route
		wantErr error
	}{
		{abi: "x86", nr: -101, mux: true, want: Route{Name: "socket", Mux: 102, Call: 1, Direct: 359}},
		{abi: "x86", nr: 359, mux: true, want: Route{Name: "socket", Mux: 102, Call: 1, Direct: 359}},
		// x86 has no recv of its own: the direct rule keeps the pseudo
		// number, and only socketcall carries the call.
		{abi: "x86", nr: -110, mux: true, want: Route{Name: "recv", Mux: 102, Call: 10, Direct: -110}},
		{abi: "x86", nr: -223, mux: true, want: Route{Name: "shmget", Mux: 117, Call: 23, Direct: 395}},
		{abi: "x86", nr: -201, mux: true, want: Route{Name: "semop", Mux: 117, Call: 1, Direct: -201}},
		{abi: "s390x", nr: -120, mux: true, want: Route{Name: "sendmmsg", Mux: 102, Call: 20, Direct: 358}},
		{abi: "mips", nr: -101, mux: true, want: Route{Name: "socket", Mux: 4102, Call: 1, Direct: 4183}},
		{abi: "mipsel", nr: -213, mux: true, want: Route{Name: "msgget", Mux: 4117, Call: 13, Direct: 4399}},
		{abi: "ppc64le", nr: -103, mux: true, want: Route{Name: "connect", Mux: 102, Call: 3, Direct: 328}},
		{abi: "x86", nr: -100, mux: true, wantErr: ErrNoCall},
		{abi: "s390", nr: -205, mux: true, wantErr: ErrNoCall},
		{abi: "x86", nr: 3},
		{abi: "x86", nr: 102}, // socketcall itself is an ordinary syscall
		{abi: "x86", nr: -10060},
		{abi: "x86_64", nr: -101},
		{abi: "x86_64", nr: 41},
		{abi: "aarch64", nr: 198},
		{abi: "mips64", nr: -101},
	}
	for _, tc := range tests {
		got, mux, err := Demultiplex(arch.MustByName(tc.abi), tc.nr)
		if mux != tc.mux || !errors.Is(err, tc.wantErr) || (err == nil && got != tc.want) {
			t.Errorf("Demultiplex(%s, %d) = %+v, %v, %v; want %+v, %v, %v",
				tc.abi, tc.nr, got, mux, err, tc.want, tc.mux, tc.wantErr)
		}
	}
}

// TestDemultiplexCoversEveryCall checks every multiplexing ABI routes
// every socket and IPC pseudo number to a call number in range and to
// the ABI's own number for the call where it has one.
func TestDemultiplexCoversEveryCall(t *testing.T) {
	for _, a := range arch.All {
		if !a.Multiplexed {
			continue
		}
		for _, name := range Names() {
			p, ok := Pseudo(name)
			if !ok || !isMuxPseudo(p) {
				continue
			}
			r, mux, err := Demultiplex(a, p)
			if !mux || err != nil {
				t.Errorf("%s %s: not routed (%v)", a, name, err)
				continue
			}
			if r.Call == 0 || r.Call > 24 {
				t.Errorf("%s %s: call number %d", a, name, r.Call)
			}
			if n, _ := Number(a, name); n != r.Direct {
				t.Errorf("%s %s: direct %d, want %d", a, name, r.Direct, n)
			}
			if n, ok := Number(a, map[bool]string{true: "socketcall", false: "ipc"}[IsSocketPseudo(p)]); !ok || n != r.Mux {
				t.Errorf("%s %s: multiplexer %d, want %d", a, name, r.Mux, n)
			}
		}
	}
}
