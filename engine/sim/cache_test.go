package sim

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/net/bpf"
)

const (
	archX8664  = 0xc000003e
	archI386   = 0x40000003
	retErrnoEP = 0x00050001 // SECCOMP_RET_ERRNO | EPERM
	retKill    = 0x80000000
	jeqK       = classJMP | opJeq
	jgeK       = classJMP | opJge
	jgtK       = classJMP | opJgt
	jsetK      = classJMP | opJset
	andK       = classALU | opAnd
)

// cacheProg is shaped like a libseccomp filter: an arch check, a guard
// against x32 numbers, two unconditional allows, one syscall whose
// decision depends on an argument, and a default of ERRNO.
var cacheProg = []bpf.RawInstruction{
	/* 0 */ stmt(ldAbsW, 4),
	/* 1 */ ins(jeqK, 1, 0, archX8664),
	/* 2 */ stmt(retK, retKill),
	/* 3 */ stmt(ldAbsW, 0),
	/* 4 */ ins(jgeK, 8, 0, 0x40000000),
	/* 5 */ ins(jeqK, 6, 0, 39), // getpid
	/* 6 */ ins(jeqK, 5, 0, 110), // getppid
	/* 7 */ ins(jeqK, 0, 5, 16), // ioctl: look at arg1
	/* 8 */ stmt(ldAbsW, 24),
	/* 9 */ ins(jeqK, 0, 3, 0x5401),
	/* 10 */ stmt(ldAbsW, 28),
	/* 11 */ ins(jeqK, 0, 1, 0),
	/* 12 */ stmt(retK, retAllow),
	/* 13 */ stmt(retK, retErrnoEP),
}

func TestCacheable(t *testing.T) {
	ld := func(off uint32) bpf.RawInstruction { return stmt(ldAbsW, off) }
	ret := func(k uint32) bpf.RawInstruction { return stmt(retK, k) }
	tests := []struct {
		name string
		prog []bpf.RawInstruction
		arch uint32
		nr   uint32
		want bool
	}{
		{"allow everything", []bpf.RawInstruction{ret(retAllow)}, archX8664, 0, true},
		{"errno everything", []bpf.RawInstruction{ret(retErrnoEP)}, archX8664, 0, false},
		{"allowed by nr", cacheProg, archX8664, 39, true},
		{"second allowed nr", cacheProg, archX8664, 110, true},
		{"default errno", cacheProg, archX8664, 1, false},
		{"argument rule", cacheProg, archX8664, 16, false},
		{"foreign arch", cacheProg, archI386, 39, false},
		{"x32 bit set", cacheProg, archX8664, 0x40000000 | 39, false},
		{"jump always", []bpf.RawInstruction{stmt(ja, 1), ret(retKill), ret(retAllow)}, archX8664, 7, true},
		{"jgt taken", []bpf.RawInstruction{ld(0), ins(jgtK, 1, 0, 9), ret(retKill), ret(retAllow)}, archX8664, 10, true},
		{"jgt not taken", []bpf.RawInstruction{ld(0), ins(jgtK, 1, 0, 9), ret(retKill), ret(retAllow)}, archX8664, 9, false},
		{"and then jset", []bpf.RawInstruction{ld(0), stmt(andK, 0xf0), ins(jsetK, 0, 1, 0x10), ret(retAllow), ret(retKill)}, archX8664, 0x1f, true},
		{"and clears bit", []bpf.RawInstruction{ld(0), stmt(andK, 0x0f), ins(jsetK, 0, 1, 0x10), ret(retAllow), ret(retKill)}, archX8664, 0x1f, false},
		{"accumulator starts at zero", []bpf.RawInstruction{ins(jeqK, 0, 1, 0), ret(retAllow), ret(retKill)}, archX8664, 5, true},
		{"instruction pointer", []bpf.RawInstruction{ld(8), ret(retAllow)}, archX8664, 0, false},
		{"argument high word", []bpf.RawInstruction{ld(20), ret(retAllow)}, archX8664, 0, false},
		{"immediate load", []bpf.RawInstruction{stmt(ldImm, 1), ret(retAllow)}, archX8664, 0, false},
		{"return accumulator", []bpf.RawInstruction{ld(0), stmt(retA, 0)}, archX8664, retAllow, false},
		{"jump on X", []bpf.RawInstruction{ld(0), ins(jeqK|srcX, 0, 0, 0), ret(retAllow)}, archX8664, 0, false},
		{"other ALU", []bpf.RawInstruction{ld(0), stmt(classALU|opOr, 1), ret(retAllow)}, archX8664, 0, false},
		{"scratch memory", []bpf.RawInstruction{stmt(st, 0), ret(retAllow)}, archX8664, 0, false},
		{"runs off the end", []bpf.RawInstruction{stmt(ja, 5)}, archX8664, 0, false},
		{"unreached argument load", []bpf.RawInstruction{ld(0), ins(jeqK, 0, 2, 3), ld(16), ret(retKill), ret(retAllow)}, archX8664, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, be := range []bool{false, true} {
				if got := Cacheable(tt.prog, tt.arch, tt.nr, be); got != tt.want {
					t.Errorf("Cacheable(nr=%#x, arch=%#x, bigEndian=%v) = %v, want %v", tt.nr, tt.arch, be, got, tt.want)
				}
			}
		})
	}
}

// TestCacheableAgreesWithRun checks the property the kernel relies on: a
// cached syscall is allowed whatever its arguments and instruction pointer.
func TestCacheableAgreesWithRun(t *testing.T) {
	p, err := New(cacheProg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cached := 0
	for nr := uint32(0); nr < 512; nr++ {
		if !Cacheable(cacheProg, archX8664, nr, false) {
			continue
		}
		cached++
		for range 64 {
			d := Data{Nr: int32(nr), Arch: archX8664, IP: rng.Uint64()}
			for i := range d.Args {
				d.Args[i] = rng.Uint64() & (1<<(rng.IntN(64)+1) - 1)
			}
			if ret, _ := p.Run(d, false); ret != retAllow {
				t.Fatalf("nr %d is cacheable but Run(%+v) = %#x", nr, d, ret)
			}
		}
	}
	if cached != 2 {
		t.Errorf("%d cacheable syscalls, want 2 (getpid, getppid)", cached)
	}
}
