package sim

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"
)

func TestEncodeDecode(t *testing.T) {
	prog := []bpf.RawInstruction{{Op: 0x20, K: 4}, {Op: 0x15, Jt: 1, Jf: 2, K: 0xc000003e}, {Op: 0x06, K: 0x7fff0000}}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		raw := Encode(prog, order)
		if len(raw) != 3*SockFilterSize {
			t.Fatalf("%v: %d bytes", order, len(raw))
		}
		got, err := Decode(raw, order)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(prog, got); diff != "" {
			t.Errorf("%v: round trip (-want +got):\n%s", order, diff)
		}
	}
	if raw := Encode(prog[:1], binary.BigEndian); raw[0] != 0 || raw[1] != 0x20 {
		t.Errorf("big-endian code field: % x", raw[:2])
	}
	for _, bad := range [][]byte{nil, make([]byte, 7)} {
		if _, err := Decode(bad, binary.LittleEndian); err == nil {
			t.Errorf("Decode(%d bytes) accepted", len(bad))
		}
	}
}
