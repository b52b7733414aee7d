package sim

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"golang.org/x/net/bpf"
)

// decodeProgram reads struct sock_filter records, little-endian, from raw.
func decodeProgram(raw []byte) []bpf.RawInstruction {
	prog := make([]bpf.RawInstruction, len(raw)/8)
	for i := range prog {
		b := raw[8*i:]
		prog[i] = bpf.RawInstruction{
			Op: binary.LittleEndian.Uint16(b),
			Jt: b[2],
			Jf: b[3],
			K:  binary.LittleEndian.Uint32(b[4:]),
		}
	}
	return prog
}

func encodeProgram(prog []bpf.RawInstruction) []byte {
	raw := make([]byte, 8*len(prog))
	for i, in := range prog {
		b := raw[8*i:]
		binary.LittleEndian.PutUint16(b, in.Op)
		b[2], b[3] = in.Jt, in.Jf
		binary.LittleEndian.PutUint32(b[4:], in.K)
	}
	return raw
}

// FuzzRun feeds arbitrary bytes to Validate and, for programs it accepts,
// compares Run with golang.org/x/net/bpf's VM.
func FuzzRun(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 16 {
		d := randomData(r)
		f.Add(encodeProgram(randomProgram(r, 24)), d.Nr, d.Arch, d.Args[0], d.Args[1], r.IntN(2) == 0)
	}
	f.Add(encodeProgram([]bpf.RawInstruction{stmt(ldMem, 0), stmt(retA, 0)}), int32(0), uint32(0), uint64(0), uint64(0), false)
	f.Add([]byte{}, int32(1), uint32(2), uint64(3), uint64(4), true)

	f.Fuzz(func(t *testing.T, raw []byte, nr int32, archToken uint32, a0, a1 uint64, bigEndian bool) {
		prog := decodeProgram(raw)
		if Validate(prog) != nil {
			return
		}
		d := Data{Nr: nr, Arch: archToken, IP: a0 ^ a1, Args: [6]uint64{a0, a1, a1, a0, ^a0, ^a1}}
		got, steps, err := Run(prog, d, bigEndian)
		if err != nil {
			t.Fatalf("Run refused a program Validate accepted: %v", err)
		}
		if steps < 1 || steps > len(prog) {
			t.Errorf("steps = %d for a %d-instruction program without back jumps", steps, len(prog))
		}
		if want, ok := reference(prog, d, bigEndian); ok && got != want {
			t.Errorf("sim %#x, x/net/bpf %#x\n%s", got, want, Disassemble(prog))
		}
	})
}
