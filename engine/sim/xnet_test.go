package sim

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"golang.org/x/net/bpf"
)

// reference runs prog on golang.org/x/net/bpf's VM, an independent
// implementation, arranged to compute what the kernel would. ok is false
// when the VM cannot stand in for the kernel on this program or input.
//
// The VM loads words big-endian. On a big-endian kernel the input is simply
// seccomp_data's memory image; for little-endian, each word of the image is
// byte-swapped so that the VM's load returns what the kernel's native load
// would.
func reference(prog []bpf.RawInstruction, d Data, bigEndian bool) (ret uint32, ok bool) {
	insns := make([]bpf.Instruction, len(prog))
	shiftX := false
	for i, in := range prog {
		switch {
		case in.Op == ldLenW || in.Op == ldxLenW:
			// The kernel rewrites length loads into constants before it
			// runs anything; the VM would load X's length into A.
			in = stmt(in.Op&classMask, DataSize)
		case in.Op == aluNeg:
			// The VM has no negation; A * 0xffffffff is the same thing
			// modulo 2^32.
			in = stmt(classALU|opMul, 0xffffffff)
		case isShiftX(in.Op):
			shiftX = true
		}
		insns[i] = in.Disassemble()
	}
	if shiftX {
		// The VM shifts by the whole register, the kernel by its low five
		// bits; compare only runs that never shift by 32 or more.
		p, err := New(prog)
		if err != nil {
			return 0, false
		}
		_, path := p.Trace(d, bigEndian)
		for _, s := range path {
			if isShiftX(prog[s.PC].Op) && s.X >= 32 {
				return 0, false
			}
		}
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		return 0, false
	}
	in := marshal(d, bigEndian)
	if !bigEndian {
		for i := 0; i < DataSize; i += 4 {
			in[i], in[i+1], in[i+2], in[i+3] = in[i+3], in[i+2], in[i+1], in[i]
		}
	}
	out, err := vm.Run(in[:])
	if err != nil {
		return 0, false
	}
	return uint32(out), true
}

// marshal lays out d as the kernel's struct does, written out field by
// field independently of Data.Words.
func marshal(d Data, bigEndian bool) [DataSize]byte {
	var order binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	var b [DataSize]byte
	order.PutUint32(b[0:], uint32(d.Nr))
	order.PutUint32(b[4:], d.Arch)
	order.PutUint64(b[8:], d.IP)
	for i, a := range d.Args {
		order.PutUint64(b[16+8*i:], a)
	}
	return b
}

// randomProgram returns a valid program of up to max instructions drawn
// from every instruction seccomp allows.
func randomProgram(r *rand.Rand, max int) []bpf.RawInstruction {
	for {
		n := 1 + r.IntN(max)
		prog := make([]bpf.RawInstruction, 0, n+memWords)
		if r.IntN(2) == 0 {
			// Make every scratch slot readable, so that loads from
			// memory survive validation.
			for k := range uint32(memWords) {
				prog = append(prog, stmt(st|uint16(r.IntN(2)), k))
			}
		}
		for len(prog) < cap(prog)-1 {
			prog = append(prog, randomInstruction(r, cap(prog)-len(prog)))
		}
		prog = append(prog, stmt(retK|uint16(r.IntN(2))<<4, randomValue(r)))
		if Validate(prog) == nil {
			return prog
		}
	}
}

// randomValue prefers values near interesting boundaries.
func randomValue(r *rand.Rand) uint32 {
	switch r.IntN(4) {
	case 0:
		return uint32(r.IntN(40))
	case 1:
		return 0xffffffff - uint32(r.IntN(4))
	case 2:
		return 0x80000000 + uint32(r.IntN(4)) - 2
	}
	return r.Uint32()
}

func randomInstruction(r *rand.Rand, left int) bpf.RawInstruction {
	aluOps := []uint16{opAdd, opSub, opMul, opDiv, opAnd, opOr, opXor, opLsh, opRsh}
	jmpOps := []uint16{opJeq, opJgt, opJge, opJset}
	skip := func() uint8 { return uint8(r.IntN(min(left-1, 256))) }
	switch r.IntN(12) {
	case 0, 1, 2:
		return stmt(ldAbsW, 4*uint32(r.IntN(DataSize/4)))
	case 3:
		return stmt([]uint16{ldLenW, ldxLenW, tax, txa, aluNeg}[r.IntN(5)], 0)
	case 4:
		return stmt([]uint16{ldImm, ldxImm}[r.IntN(2)], randomValue(r))
	case 5:
		return stmt([]uint16{ldMem, ldxMem, st, stx}[r.IntN(4)], uint32(r.IntN(memWords)))
	case 6, 7:
		op := classALU | aluOps[r.IntN(len(aluOps))]
		if r.IntN(2) == 0 {
			return stmt(op|srcX, 0)
		}
		k := randomValue(r)
		if op == classALU|opLsh || op == classALU|opRsh {
			k %= 32
		}
		if k == 0 && op == classALU|opDiv {
			k = 1
		}
		return stmt(op, k)
	case 8:
		return stmt(ja, uint32(skip()))
	default:
		op := classJMP | jmpOps[r.IntN(len(jmpOps))] | uint16(r.IntN(2))*srcX
		return ins(op, skip(), skip(), randomValue(r))
	}
}

func randomData(r *rand.Rand) Data {
	d := Data{Nr: int32(randomValue(r)), Arch: randomValue(r), IP: r.Uint64()}
	for i := range d.Args {
		d.Args[i] = uint64(randomValue(r))<<32 | uint64(randomValue(r))
	}
	return d
}

func TestAgainstXNetVM(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	programs, compared := 3000, 0
	if testing.Short() {
		programs = 300
	}
	for range programs {
		prog := randomProgram(r, 48)
		p, err := New(prog)
		if err != nil {
			t.Fatalf("generated program refused: %v", err)
		}
		for range 8 {
			d := randomData(r)
			for _, be := range []bool{false, true} {
				want, ok := reference(prog, d, be)
				if !ok {
					continue
				}
				compared++
				if got, _ := p.Run(d, be); got != want {
					t.Fatalf("bigEndian=%v data %+v: sim %#x, x/net/bpf %#x\n%s", be, d, got, want, Disassemble(prog))
				}
			}
		}
	}
	// Guard against a reference that quietly declines everything.
	if min := programs * 8 * 2 * 3 / 4; compared < min {
		t.Errorf("compared only %d runs, want at least %d", compared, min)
	}
}

func isShiftX(op uint16) bool {
	return op == classALU|opLsh|srcX || op == classALU|opRsh|srcX
}
