package sim

import (
	"errors"
	"testing"

	"golang.org/x/net/bpf"
)

func TestValidateRejects(t *testing.T) {
	ret := stmt(retK, 0x7fff0000)
	long := make([]bpf.RawInstruction, MaxInstructions+1)
	for i := range long {
		long[i] = ret
	}
	tests := []struct {
		name   string
		prog   []bpf.RawInstruction
		wantPC int
	}{
		{"empty", nil, -1},
		{"too long", long, -1},
		{"no return at end", []bpf.RawInstruction{ret, stmt(ldImm, 0)}, 1},
		{"ret x", []bpf.RawInstruction{stmt(classRET|srcX, 0)}, 0},
		{"ld half abs", []bpf.RawInstruction{stmt(classLD|0x08|modeABS, 0), ret}, 0},
		{"ld byte abs", []bpf.RawInstruction{stmt(classLD|0x10|modeABS, 0), ret}, 0},
		{"ld indirect", []bpf.RawInstruction{stmt(classLD|0x40, 0), ret}, 0},
		{"ldx msh", []bpf.RawInstruction{stmt(classLDX|0x10|0xa0, 0), ret}, 0},
		{"ld abs unaligned", []bpf.RawInstruction{stmt(ldAbsW, 2), ret}, 0},
		{"ld abs past data", []bpf.RawInstruction{stmt(ldAbsW, 64), ret}, 0},
		{"ld abs ancillary", []bpf.RawInstruction{stmt(ldAbsW, 0xfffff000), ret}, 0},
		{"ld half len", []bpf.RawInstruction{stmt(classLD|0x08|modeLEN, 0), ret}, 0},
		{"mod k", []bpf.RawInstruction{stmt(classALU|0x90, 3), ret}, 0},
		{"mod x", []bpf.RawInstruction{stmt(classALU|0x90|srcX, 0), ret}, 0},
		{"unknown alu op", []bpf.RawInstruction{stmt(classALU|0xb0, 1), ret}, 0},
		{"div by zero k", []bpf.RawInstruction{stmt(classALU|opDiv, 0), ret}, 0},
		{"lsh 32", []bpf.RawInstruction{stmt(classALU|opLsh, 32), ret}, 0},
		{"rsh 32", []bpf.RawInstruction{stmt(classALU|opRsh, 32), ret}, 0},
		{"ja x", []bpf.RawInstruction{stmt(ja|srcX, 0), ret}, 0},
		{"unknown jump", []bpf.RawInstruction{ins(classJMP|0x50, 0, 0, 0), ret}, 0},
		{"ja past end", []bpf.RawInstruction{stmt(ja, 1), ret}, 0},
		{"ja wraps", []bpf.RawInstruction{stmt(ja, 0xffffffff), ret}, 0},
		{"jt past end", []bpf.RawInstruction{ins(classJMP|opJeq, 1, 0, 0), ret}, 0},
		{"jf past end", []bpf.RawInstruction{ins(classJMP|opJgt|srcX, 0, 1, 0), ret}, 0},
		{"st slot 16", []bpf.RawInstruction{stmt(st, 16), ret}, 0},
		{"ldx mem slot 16", []bpf.RawInstruction{stmt(ldxMem, 16), ret}, 0},
		{"misc other", []bpf.RawInstruction{stmt(classMISC|0x40, 0), ret}, 0},
		{"st with size bits", []bpf.RawInstruction{stmt(st|0x10, 0), ret}, 0},
		{"load before store", []bpf.RawInstruction{stmt(ldMem, 3), ret}, 0},
		{"store on one path only", []bpf.RawInstruction{
			ins(classJMP|opJeq, 0, 1, 0),
			stmt(st, 3),
			stmt(ldMem, 3),
			ret,
		}, 2},
		{"other slot stored", []bpf.RawInstruction{
			stmt(st, 1),
			ins(classJMP|opJeq, 1, 1, 0),
			ret,
			stmt(ldxMem, 2),
			ret,
		}, 3},
		// The kernel lets a return's state flow into the next instruction
		// as if control could fall through, so pc 5, reachable only from
		// pc 2 after the store, is refused because of the path through
		// the return at pc 4.
		{"return state flows on", []bpf.RawInstruction{
			ins(classJMP|opJeq, 3, 0, 0),
			stmt(st, 5),
			ins(classJMP|opJeq, 2, 2, 0),
			ret,
			ret,
			stmt(ldMem, 5),
			ret,
		}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.prog)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			if verr.PC != tt.wantPC {
				t.Errorf("Validate blamed pc %d (%v), want %d", verr.PC, err, tt.wantPC)
			}
			if _, _, err := Run(tt.prog, sample, false); err == nil {
				t.Errorf("Run accepted a program Validate refused")
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	ret := stmt(retK, 0x7fff0000)
	full := make([]bpf.RawInstruction, MaxInstructions)
	for i := range full {
		full[i] = ret
	}
	tests := []struct {
		name string
		prog []bpf.RawInstruction
	}{
		{"single ret", []bpf.RawInstruction{ret}},
		{"ret a", []bpf.RawInstruction{stmt(retA, 0)}},
		{"max length", full},
		{"last data word", []bpf.RawInstruction{stmt(ldAbsW, 60), ret}},
		{"lsh 31", []bpf.RawInstruction{stmt(classALU|opLsh, 31), ret}},
		{"div x", []bpf.RawInstruction{stmt(classALU|opDiv|srcX, 0), ret}},
		{"ja to last", []bpf.RawInstruction{stmt(ja, 1), ret, ret}},
		{"jump to last", []bpf.RawInstruction{ins(classJMP|opJset, 1, 0, 0), ret, ret}},
		{"store on both paths", []bpf.RawInstruction{
			ins(classJMP|opJeq, 0, 1, 0),
			stmt(st, 3),
			stmt(stx, 3),
			stmt(ldMem, 3),
			ret,
		}},
		{"store before branch", []bpf.RawInstruction{
			stmt(st, 15),
			ins(classJMP|opJeq, 1, 0, 0),
			ret,
			stmt(ldxMem, 15),
			ret,
		}},
		// Unreachable code is not the kernel's business.
		{"dead code", []bpf.RawInstruction{ret, stmt(ldImm, 1), ret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.prog); err != nil {
				t.Errorf("Validate = %v, want nil", err)
			}
		})
	}
}
