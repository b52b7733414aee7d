package sim

import (
	"testing"

	"golang.org/x/net/bpf"
)

func ins(op uint16, jt, jf uint8, k uint32) bpf.RawInstruction {
	return bpf.RawInstruction{Op: op, Jt: jt, Jf: jf, K: k}
}

func stmt(op uint16, k uint32) bpf.RawInstruction { return ins(op, 0, 0, k) }

var sample = Data{
	Nr:   -2,
	Arch: 0xc000003e,
	IP:   0x1111_2222_3333_4444,
	Args: [6]uint64{
		0xa0a0_a0a0_0000_00a0, 0xa1a1_a1a1_0000_00a1, 0xa2a2_a2a2_0000_00a2,
		0xa3a3_a3a3_0000_00a3, 0xa4a4_a4a4_0000_00a4, 0xa5a5_a5a5_0000_00a5,
	},
}

// runCase runs prog on sample and checks the result against want.
func runCase(t *testing.T, prog []bpf.RawInstruction, bigEndian bool, want uint32, wantSteps int) {
	t.Helper()
	got, steps, err := Run(prog, sample, bigEndian)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got != want {
		t.Errorf("Run = %#x, want %#x", got, want)
	}
	if wantSteps > 0 && steps != wantSteps {
		t.Errorf("steps = %d, want %d", steps, wantSteps)
	}
}

func TestLoadAbsolute(t *testing.T) {
	tests := []struct {
		off      uint32
		little   uint32
		bigEndia uint32
	}{
		{0, 0xfffffffe, 0xfffffffe},
		{4, 0xc000003e, 0xc000003e},
		{8, 0x33334444, 0x11112222},
		{12, 0x11112222, 0x33334444},
		{16, 0x000000a0, 0xa0a0a0a0},
		{20, 0xa0a0a0a0, 0x000000a0},
		{24, 0x000000a1, 0xa1a1a1a1},
		{36, 0xa2a2a2a2, 0x000000a2},
		{56, 0x000000a5, 0xa5a5a5a5},
		{60, 0xa5a5a5a5, 0x000000a5},
	}
	for _, tt := range tests {
		prog := []bpf.RawInstruction{stmt(ldAbsW, tt.off), stmt(retA, 0)}
		runCase(t, prog, false, tt.little, 2)
		runCase(t, prog, true, tt.bigEndia, 2)
	}
}

func TestBytesMatchWords(t *testing.T) {
	for _, be := range []bool{false, true} {
		b := sample.Bytes(be)
		w := sample.Words(be)
		for i := range w {
			var got uint32
			if be {
				got = uint32(b[4*i])<<24 | uint32(b[4*i+1])<<16 | uint32(b[4*i+2])<<8 | uint32(b[4*i+3])
			} else {
				got = uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24
			}
			if got != w[i] {
				t.Errorf("bigEndian=%v word %d: bytes say %#x, Words says %#x", be, i, got, w[i])
			}
		}
	}
}

func TestLoadsAndStores(t *testing.T) {
	tests := []struct {
		name string
		prog []bpf.RawInstruction
		want uint32
	}{
		{"ld len", []bpf.RawInstruction{stmt(ldLenW, 0), stmt(retA, 0)}, 64},
		{"ldx len", []bpf.RawInstruction{stmt(ldxLenW, 0), stmt(txa, 0), stmt(retA, 0)}, 64},
		{"ld imm", []bpf.RawInstruction{stmt(ldImm, 0xdeadbeef), stmt(retA, 0)}, 0xdeadbeef},
		{"ldx imm", []bpf.RawInstruction{stmt(ldxImm, 7), stmt(txa, 0), stmt(retA, 0)}, 7},
		{"tax", []bpf.RawInstruction{stmt(ldImm, 9), stmt(tax, 0), stmt(ldImm, 1), stmt(txa, 0), stmt(retA, 0)}, 9},
		{"st ld mem", []bpf.RawInstruction{
			stmt(ldImm, 5), stmt(st, 15), stmt(ldImm, 6), stmt(ldMem, 15), stmt(retA, 0),
		}, 5},
		{"stx ldx mem", []bpf.RawInstruction{
			stmt(ldxImm, 8), stmt(stx, 3), stmt(ldxImm, 1), stmt(ldxMem, 3), stmt(txa, 0), stmt(retA, 0),
		}, 8},
		{"slots are separate", []bpf.RawInstruction{
			stmt(ldImm, 1), stmt(st, 0), stmt(ldImm, 2), stmt(st, 1), stmt(ldMem, 0), stmt(retA, 0),
		}, 1},
		{"ret k", []bpf.RawInstruction{stmt(ldImm, 1), stmt(retK, 0x7fff0000)}, 0x7fff0000},
		{"ret a", []bpf.RawInstruction{stmt(ldAbsW, 4), stmt(retA, 0)}, 0xc000003e},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runCase(t, tt.prog, false, tt.want, len(tt.prog)) })
	}
}

func TestALU(t *testing.T) {
	tests := []struct {
		op   uint16
		a, v uint32
		want uint32
	}{
		{opAdd, 0xffffffff, 2, 1},
		{opSub, 1, 2, 0xffffffff},
		{opMul, 0x10000, 0x10000, 0},
		{opMul, 3, 5, 15},
		{opDiv, 7, 2, 3},
		{opDiv, 0xffffffff, 0x10, 0x0fffffff},
		{opAnd, 0xf0f0, 0xff00, 0xf000},
		{opOr, 0xf0f0, 0x0f00, 0xfff0},
		{opXor, 0xff00, 0x0ff0, 0xf0f0},
		{opLsh, 1, 31, 0x80000000},
		{opLsh, 3, 0, 3},
		{opRsh, 0x80000000, 31, 1},
		{opRsh, 0x80000000, 4, 0x08000000},
	}
	for _, tt := range tests {
		withK := []bpf.RawInstruction{stmt(ldImm, tt.a), stmt(classALU|tt.op, tt.v), stmt(retA, 0)}
		withX := []bpf.RawInstruction{stmt(ldxImm, tt.v), stmt(ldImm, tt.a), stmt(classALU|tt.op|srcX, 0), stmt(retA, 0)}
		for _, p := range [][]bpf.RawInstruction{withK, withX} {
			got, _, err := Run(p, sample, false)
			if err != nil {
				t.Fatalf("op %#x: %v", tt.op, err)
			}
			if got != tt.want {
				t.Errorf("%#x op(%#x) %#x = %#x, want %#x (opcode %#x)", tt.a, tt.op, tt.v, got, tt.want, p[len(p)-2].Op)
			}
		}
	}
}

func TestALUKernelCorners(t *testing.T) {
	tests := []struct {
		name      string
		prog      []bpf.RawInstruction
		want      uint32
		wantSteps int
	}{
		{"neg", []bpf.RawInstruction{stmt(ldImm, 1), stmt(aluNeg, 0), stmt(retA, 0)}, 0xffffffff, 3},
		{"neg zero", []bpf.RawInstruction{stmt(aluNeg, 0), stmt(retA, 0)}, 0, 2},
		// Division by a zero register ends the program with 0, i.e.
		// SECCOMP_RET_KILL_THREAD, at the division itself.
		{"div by zero x", []bpf.RawInstruction{
			stmt(ldImm, 5), stmt(classALU|opDiv|srcX, 0), stmt(retK, 0x7fff0000),
		}, 0, 2},
		{"lsh by x masks the count", []bpf.RawInstruction{
			stmt(ldxImm, 33), stmt(ldImm, 1), stmt(classALU|opLsh|srcX, 0), stmt(retA, 0),
		}, 2, 4},
		{"rsh by x masks the count", []bpf.RawInstruction{
			stmt(ldxImm, 32+4), stmt(ldImm, 0x80), stmt(classALU|opRsh|srcX, 0), stmt(retA, 0),
		}, 0x8, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runCase(t, tt.prog, false, tt.want, tt.wantSteps) })
	}
}

func TestJumps(t *testing.T) {
	const yes, no = 1, 2
	tests := []struct {
		op   uint16
		a, v uint32
		want uint32
	}{
		{opJeq, 5, 5, yes},
		{opJeq, 5, 6, no},
		{opJgt, 6, 5, yes},
		{opJgt, 5, 5, no},
		{opJgt, 0x80000000, 1, yes}, // unsigned
		{opJge, 5, 5, yes},
		{opJge, 4, 5, no},
		{opJset, 0x10, 0x30, yes},
		{opJset, 0x10, 0x20, no},
	}
	for _, tt := range tests {
		// The true branch skips two instructions, the false one none, so
		// both offsets are exercised.
		tail := []bpf.RawInstruction{stmt(retK, no), stmt(retK, 99), stmt(retK, yes)}
		withK := append([]bpf.RawInstruction{stmt(ldImm, tt.a), ins(classJMP|tt.op, 2, 0, tt.v)}, tail...)
		withX := append([]bpf.RawInstruction{stmt(ldxImm, tt.v), stmt(ldImm, tt.a), ins(classJMP|tt.op|srcX, 2, 0, 0)}, tail...)
		for _, p := range [][]bpf.RawInstruction{withK, withX} {
			got, steps, err := Run(p, sample, false)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%#x jump(%#x) %#x = %d, want %d (opcode %#x)", tt.a, tt.op, tt.v, got, tt.want, p[len(p)-4].Op)
			}
			if wantSteps := len(p) - 3 + 1; steps != wantSteps {
				t.Errorf("steps = %d, want %d", steps, wantSteps)
			}
		}
	}
}

func TestJumpAlways(t *testing.T) {
	prog := []bpf.RawInstruction{
		stmt(ja, 2),
		stmt(retK, 1),
		stmt(retK, 2),
		stmt(ja, 0), // a jump by zero is a no-op
		stmt(retK, 3),
	}
	runCase(t, prog, false, 3, 3)
}

func TestTrace(t *testing.T) {
	prog := []bpf.RawInstruction{
		stmt(ldAbsW, 0),
		ins(classJMP|opJeq, 1, 0, uint32(sample.Nr)),
		stmt(retK, 0),
		stmt(tax, 0),
		stmt(retK, 0x7fff0000),
	}
	p, err := New(prog)
	if err != nil {
		t.Fatal(err)
	}
	ret, path := p.Trace(sample, false)
	want := []Step{{0, 0, 0}, {1, 0xfffffffe, 0}, {3, 0xfffffffe, 0}, {4, 0xfffffffe, 0xfffffffe}}
	if ret != 0x7fff0000 || len(path) != len(want) {
		t.Fatalf("Trace = %#x, %v; want 0x7fff0000, %v", ret, path, want)
	}
	for i := range want {
		if path[i] != want[i] {
			t.Errorf("step %d = %+v, want %+v", i, path[i], want[i])
		}
	}
	if r, steps := p.Run(sample, false); r != ret || steps != len(path) {
		t.Errorf("Run = %#x, %d; Trace said %#x, %d", r, steps, ret, len(path))
	}
}

func TestNewCopies(t *testing.T) {
	prog := []bpf.RawInstruction{stmt(retK, 1)}
	p, err := New(prog)
	if err != nil {
		t.Fatal(err)
	}
	prog[0].K = 2
	if got, _ := p.Run(sample, false); got != 1 {
		t.Errorf("Run after caller changed its slice = %d, want 1", got)
	}
}

func BenchmarkRun(b *testing.B) {
	// A linear allowlist of 64 numbers, the shape of a typical policy.
	prog := []bpf.RawInstruction{stmt(ldAbsW, 0)}
	for nr := 0; nr < 64; nr++ {
		prog = append(prog, ins(classJMP|opJeq, uint8(64-nr), 0, uint32(nr)))
	}
	prog = append(prog, stmt(retK, 0), stmt(retK, 0x7fff0000))
	p, err := New(prog)
	if err != nil {
		b.Fatal(err)
	}
	d := sample
	for i := 0; b.Loop(); i++ {
		d.Nr = int32(i & 127)
		p.Run(d, false)
	}
}
