package sim

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
)

// SockFilterSize is sizeof(struct sock_filter): u16 code, u8 jt, u8 jf,
// u32 k.
const SockFilterSize = 8

// Encode lays prog out as an array of struct sock_filter in the given
// byte order, as seccomp(2) takes it and seccomp_export_bpf writes it.
func Encode(prog []bpf.RawInstruction, order binary.ByteOrder) []byte {
	out := make([]byte, len(prog)*SockFilterSize)
	for i, ins := range prog {
		b := out[i*SockFilterSize:]
		order.PutUint16(b[0:], ins.Op)
		b[2] = ins.Jt
		b[3] = ins.Jf
		order.PutUint32(b[4:], ins.K)
	}
	return out
}

// Decode reads an array of struct sock_filter in the given byte order.
func Decode(raw []byte, order binary.ByteOrder) ([]bpf.RawInstruction, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("empty program")
	}
	if len(raw)%SockFilterSize != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %d-byte instructions", len(raw), SockFilterSize)
	}
	prog := make([]bpf.RawInstruction, len(raw)/SockFilterSize)
	for i := range prog {
		b := raw[i*SockFilterSize:]
		prog[i] = bpf.RawInstruction{
			Op: order.Uint16(b[0:]),
			Jt: b[2],
			Jf: b[3],
			K:  order.Uint32(b[4:]),
		}
	}
	return prog, nil
}
