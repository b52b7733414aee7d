// Package pfc renders a seccomp program as pseudo filter code: nested
// if/else blocks over named fields, with syscall and action names, as a
// person reviewing a filter wants to read it.
//
// The text is ours, not libseccomp's: it is decompiled from the program
// that would be loaded, so it shows the search tree exactly as the kernel
// runs it rather than the rules as they were added. The format:
//
//	# seccomptree pseudo filter code, N instructions
//	if ($arch == x86_64)
//	  if ($syscall >= 232)  # epoll_wait
//	    ...
//	  else
//	    action ALLOW;
//	action KILL;
//
// Fields are $arch, $syscall, $ip.hi32/$ip.lo32 and $aN.hi32/$aN.lo32. A
// test "($x & mask) == k" shows an AND folded into the comparison. A block
// reached again from elsewhere (shared code) is printed once, labelled
// "L<pc>:", and referred to as "goto L<pc>;" after that. Output is
// deterministic for a given program.
package pfc

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// Opcodes the renderer understands; anything else is shown raw.
const (
	opLdAbs = 0x20
	opAnd   = 0x54
	opJa    = 0x05
	opJeq   = 0x15
	opJgt   = 0x25
	opJge   = 0x35
	opJset  = 0x45
	opRet   = 0x06
)

type renderer struct {
	prog  []bpf.RawInstruction
	refs  map[int]int  // how many edges reach each pc
	done  map[int]bool // labelled blocks already printed
	b     strings.Builder
	abi   *arch.Arch // set once the arch test has passed
	field string     // what A holds
	mask  uint32     // AND applied to A since the load, 0 for none
}

// Render writes the pseudo filter code of prog.
func Render(w io.Writer, prog []bpf.RawInstruction) error {
	r := &renderer{prog: prog, refs: map[int]int{}, done: map[int]bool{}}
	r.countRefs()
	fmt.Fprintf(&r.b, "# seccomptree pseudo filter code, %d instructions\n", len(prog))
	r.block(0, 0)
	_, err := io.WriteString(w, r.b.String())
	return err
}

func (r *renderer) countRefs() {
	r.refs[0]++
	for pc, in := range r.prog {
		switch {
		case in.Op == opJa:
			r.refs[pc+1+int(in.K)]++
		case in.Op&0x07 == 0x05: // conditional jump
			r.refs[pc+1+int(in.Jt)]++
			r.refs[pc+1+int(in.Jf)]++
		case in.Op != opRet:
			r.refs[pc+1]++
		}
	}
}

func (r *renderer) line(depth int, format string, args ...any) {
	r.b.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(&r.b, format, args...)
	r.b.WriteByte('\n')
}

// block renders the code starting at pc.
func (r *renderer) block(pc, depth int) {
	for {
		if pc < 0 || pc >= len(r.prog) {
			r.line(depth, "# jump out of the program")
			return
		}
		in := r.prog[pc]
		// Shared code other than a bare return gets a label.
		if r.refs[pc] > 1 && in.Op != opRet {
			if r.done[pc] {
				r.line(depth, "goto L%d;", pc)
				return
			}
			r.done[pc] = true
			r.line(depth, "L%d:", pc)
		}
		switch in.Op {
		case opRet:
			r.line(depth, "action %s;", policy.Action(in.K))
			return
		case opLdAbs:
			r.field, r.mask = fieldName(in.K, r.abi), 0
			pc++
		case opAnd:
			r.mask = in.K
			pc++
		case opJa:
			pc += 1 + int(in.K)
		case opJeq, opJgt, opJge, opJset:
			r.branch(pc, in, depth)
			return
		default:
			r.line(depth, "# instruction %#04x k=%#x", in.Op, in.K)
			pc++
		}
	}
}

// branch renders a conditional jump as if/else.
func (r *renderer) branch(pc int, in bpf.RawInstruction, depth int) {
	op := map[uint16]string{opJeq: "==", opJgt: ">", opJge: ">=", opJset: "&"}[in.Op]
	lhs := r.field
	if r.mask != 0 {
		lhs = fmt.Sprintf("(%s & %#x)", r.field, r.mask)
	}
	cond := fmt.Sprintf("%s %s %s", lhs, op, r.value(in.K))
	if note := r.note(in.K); note != "" {
		cond += ")  # " + note
	} else {
		cond += ")"
	}
	jt, jf := pc+1+int(in.Jt), pc+1+int(in.Jf)
	abi, field, mask := r.abi, r.field, r.mask
	r.line(depth, "if (%s", cond)
	if field == "$arch" && in.Op == opJeq {
		r.abi, _ = arch.ByToken(arch.Token(in.K))
	}
	r.block(jt, depth+1)
	r.abi, r.field, r.mask = abi, field, mask
	// A false branch that is itself a single return reads better
	// unindented when it ends the program's top level.
	r.line(depth, "else")
	r.block(jf, depth+1)
	r.abi, r.field, r.mask = abi, field, mask
}

// value prints a comparison constant: arch tokens by name, numbers in
// decimal when small.
func (r *renderer) value(k uint32) string {
	if r.field == "$arch" {
		if a, ok := arch.ByToken(arch.Token(k)); ok && k != 0 {
			return a.Name
		}
	}
	if k < 1<<16 {
		return fmt.Sprint(k)
	}
	return fmt.Sprintf("%#x", k)
}

// note names the syscall a constant stands for.
func (r *renderer) note(k uint32) string {
	if r.field != "$syscall" || r.abi == nil || r.mask != 0 {
		return ""
	}
	if name, ok := syscalls.Name(r.abi, int32(k)); ok {
		return name
	}
	return ""
}

// fieldName names the seccomp_data word at offset off.
func fieldName(off uint32, a *arch.Arch) string {
	switch {
	case off == 0:
		return "$syscall"
	case off == 4:
		return "$arch"
	case off >= 8 && off < 64:
		name := "$ip"
		if off >= 16 {
			name = fmt.Sprintf("$a%d", (off-16)/8)
		}
		hi := off%8 == 4
		if a != nil && a.BigEndian {
			hi = !hi
		}
		if hi {
			return name + ".hi32"
		}
		return name + ".lo32"
	}
	return fmt.Sprintf("$data[%d]", off)
}
