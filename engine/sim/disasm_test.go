package sim

import (
	"testing"

	"golang.org/x/net/bpf"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		pc   int
		in   bpf.RawInstruction
		want string
	}{
		{0, stmt(ldAbsW, 4), "ld [4]"},
		{0, stmt(ldLenW, 0), "ld #len"},
		{0, stmt(ldxLenW, 0), "ldx #len"},
		{0, stmt(ldImm, 255), "ld #0xff"},
		{0, stmt(ldxImm, 1), "ldx #0x1"},
		{0, stmt(ldMem, 3), "ld M[3]"},
		{0, stmt(ldxMem, 4), "ldx M[4]"},
		{0, stmt(st, 5), "st M[5]"},
		{0, stmt(stx, 6), "stx M[6]"},
		{0, stmt(tax, 0), "tax"},
		{0, stmt(txa, 0), "txa"},
		{0, stmt(retK, 0x7fff0000), "ret #0x7fff0000"},
		{0, stmt(retA, 0), "ret a"},
		{10, stmt(ja, 300), "ja 311"},
		{0, stmt(aluNeg, 0), "neg"},
		{0, stmt(classALU|opAnd, 0xf), "and #0xf"},
		{0, stmt(classALU|opLsh|srcX, 0), "lsh x"},
		{7, ins(classJMP|opJeq, 0, 3, 59), "jeq #0x3b, 8, 11"},
		{7, ins(classJMP|opJset|srcX, 1, 0, 0), "jset x, 9, 8"},
		{0, ins(0xffff, 1, 2, 3), "raw op=0xffff jt=1 jf=2 k=0x3"},
	}
	for _, tt := range tests {
		if got := Format(tt.pc, tt.in); got != tt.want {
			t.Errorf("Format(%d, %+v) = %q, want %q", tt.pc, tt.in, got, tt.want)
		}
	}
	if got, want := Disassemble([]bpf.RawInstruction{stmt(tax, 0), stmt(retA, 0)}), "   0: tax\n   1: ret a\n"; got != want {
		t.Errorf("Disassemble = %q, want %q", got, want)
	}
}
