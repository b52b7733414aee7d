package syscalls

import (
	"sync"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// Markers used by the generated rows.
const (
	no  = -1 << 31           // the ABI has no such call
	x32 = arch.X32SyscallBit // spelled out in x32 numbers for the reader
)

// A row is one syscall name across all ABIs.
type row struct {
	name string
	// pseudo is libseccomp's __PNR_ number, or 0 when every ABI has the
	// call and libseccomp defines none.
	pseudo int32
	// libseccomp says whether libseccomp 2.6.1 knows the name.
	libseccomp bool
	// nr is the number on each ABI, in columns order; no where absent.
	nr [nabi]int32
}

var (
	// byNumber is built per ABI on first use: a process that uses the
	// library for its own ABI should not pay, at load time, for indexing
	// all 23 (it costs about a millisecond).
	byNumber     [nabi]map[int32]*row
	byNumberOnce [nabi]sync.Once
	byPseudo     = map[int32][]*row{} // usually one row; see pseudoOrder
	column       = make(map[string]int, nabi)
	names        = make([]string, 0, len(rows))
)

func init() {
	for c, name := range columns {
		column[name] = c
	}
	for i := range rows {
		names = append(names, rows[i].name)
	}
	// Shared pseudo numbers keep libseccomp's preference order; every
	// other pseudo number has a single name.
	for _, name := range pseudoOrder {
		r := rowOf(name)
		byPseudo[r.pseudo] = append(byPseudo[r.pseudo], r)
	}
	for i := range rows {
		if r := &rows[i]; r.pseudo != 0 && len(byPseudo[r.pseudo]) == 0 {
			byPseudo[r.pseudo] = []*row{r}
		}
	}
}

// numbers returns column c's number index, building it on first use.
func numbers(c int) map[int32]*row {
	byNumberOnce[c].Do(func() { index(c) })
	return byNumber[c]
}

// denseNumbers is how many numbers from its ABI's base a column indexes
// in a slice, which rule building reads for every rule on a foreign ABI.
const denseNumbers = 1024

// byDense[c][nr-base] is the index in rows, plus one, of the name with
// number nr on column c; 0 where the ABI has none. Built with byNumber.
var byDense [nabi][]uint16

// index builds column c's number indexes, byNumber and byDense.
func index(c int) {
	m := make(map[int32]*row, len(rows))
	dense := make([]uint16, denseNumbers)
	base := colBase[c]
	for i := range rows {
		if nr := rows[i].nr[c]; nr != no {
			m[nr] = &rows[i]
			if d := uint32(nr) - uint32(base); d < denseNumbers {
				dense[d] = uint16(i + 1)
			}
		}
	}
	byNumber[c], byDense[c] = m, dense
}

// rowOfNumber returns the row of real number nr on column c, or nil.
func rowOfNumber(c int, nr int32) *row {
	byNumberOnce[c].Do(func() { index(c) })
	if d := uint32(nr) - uint32(colBase[c]); d < denseNumbers {
		if k := byDense[c][d]; k != 0 {
			return &rows[k-1]
		}
		return nil
	}
	return byNumber[c][nr]
}

// col returns a's column in the rows.
func col(a *arch.Arch) (int, bool) {
	if a == nil {
		return 0, false
	}
	for c, p := range &colArch {
		if p == a {
			return c, true
		}
	}
	// An Arch that is not arch.All's own value: go by its name.
	c, ok := column[a.Name]
	return c, ok
}

// Number resolves name on ABI a. For a name libseccomp knows but a lacks,
// it returns libseccomp's negative pseudo-syscall number (__PNR_name).
// ok is false for names nobody knows, and for calls newer than libseccomp
// that a lacks (they have no pseudo number to stand in).
func Number(a *arch.Arch, name string) (nr int32, ok bool) {
	c, ok := col(a)
	if !ok {
		return 0, false
	}
	return number(c, rowOf(name))
}

// number is Number for the row of a name (nil for an unknown one).
func number(c int, r *row) (int32, bool) {
	if r == nil {
		return 0, false
	}
	if nr := r.nr[c]; nr != no {
		return nr, true
	}
	if r.pseudo != 0 {
		return r.pseudo, true
	}
	return 0, false
}

// Name is the reverse of Number: a real number of a, or a pseudo number
// standing for a call a lacks, maps to its name. A pseudo number of a call
// a does have is not a's, and is not resolved; -10191, shared by two
// names, resolves to sys_debug_setcontext as in libseccomp 2.6.1.
func Name(a *arch.Arch, nr int32) (name string, ok bool) {
	c, ok := col(a)
	if !ok {
		return "", false
	}
	if r := nameRow(c, nr); r != nil {
		return r.name, true
	}
	return "", false
}

// nameRow is Name on column c, returning the name's row or nil.
func nameRow(c int, nr int32) *row {
	if nr >= 0 {
		return rowOfNumber(c, nr)
	}
	for _, r := range byPseudo[nr] {
		if r.nr[c] == no {
			return r
		}
	}
	return nil
}

// Pseudo returns libseccomp's pseudo-syscall number for name (negative),
// if it has one.
func Pseudo(name string) (int32, bool) {
	r := rowOf(name)
	if r == nil || r.pseudo == 0 {
		return 0, false
	}
	return r.pseudo, true
}

// Names lists every known syscall name, sorted. The slice is the caller's.
func Names() []string {
	return append([]string(nil), names...)
}

// Table returns a's real (non-negative) numbers, name to number. The map
// is the caller's; it is nil for an ABI the package does not know.
func Table(a *arch.Arch) map[string]int32 {
	c, ok := col(a)
	if !ok {
		return nil
	}
	m := make(map[string]int32, len(numbers(c)))
	for nr, r := range numbers(c) {
		m[r.name] = nr
	}
	return m
}

// Numbers returns a's real numbers, number to name: Table inverted.
func Numbers(a *arch.Arch) map[int32]string {
	c, ok := col(a)
	if !ok {
		return nil
	}
	m := make(map[int32]string, len(numbers(c)))
	for nr, r := range numbers(c) {
		m[nr] = r.name
	}
	return m
}
