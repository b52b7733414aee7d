package syscalls

import "github.com/seccomptree/seccomptree/engine/arch"

// Rule building resolves every name of a policy, so name lookups sit on
// the hot path of each seccomp_rule_add. A Go string map costs two to
// three times what this open-addressed table does: the hash reads two
// words of the name instead of every byte, and the table is a flat array
// of small integers, built once at load for a few microseconds.

const nameBits = 11 // 2048 slots for ~500 names keeps probe runs short

// nameSlots holds row index + 1 at each name's slot (0: empty).
var nameSlots [1 << nameBits]uint16

func init() {
	if len(rows) >= len(nameSlots)/2 {
		panic("syscalls: name index too small for the rows")
	}
	for i := range rows {
		s := nameHash(rows[i].name)
		for nameSlots[s] != 0 {
			s = (s + 1) & (len(nameSlots) - 1)
		}
		nameSlots[s] = uint16(i + 1)
	}
	socketcallRow, ipcRow = rowOf("socketcall"), rowOf("ipc")
}

// The rows of the multiplexers, which Demultiplex wants on every rule
// for an ABI that multiplexes.
var socketcallRow, ipcRow *row

// nameHash mixes the length with the first and last eight bytes of s.
// Names that agree on all three only cost a longer probe.
func nameHash(s string) int {
	n := len(s)
	var lo, hi uint64
	if n >= 8 {
		lo = le64(s[:8])
		hi = le64(s[n-8:])
	} else {
		for i := 0; i < n; i++ {
			lo |= uint64(s[i]) << (8 * i)
		}
	}
	h := lo*0x9e3779b97f4a7c15 ^ hi*0xc2b2ae3d27d4eb4f ^ uint64(n)
	h ^= h >> 32
	h *= 0xff51afd7ed558ccd
	return int(h >> (64 - nameBits))
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// rowOf returns the row of name, or nil for a name nobody knows.
func rowOf(name string) *row {
	for s := nameHash(name); ; s = (s + 1) & (len(nameSlots) - 1) {
		k := nameSlots[s]
		if k == 0 {
			return nil
		}
		if r := &rows[k-1]; r.name == name {
			return r
		}
	}
}

// colArch holds the arch.All value of each column, so that col can
// compare pointers rather than hash the ABI's name on every call, and
// colBase its Base.
var (
	colArch [nabi]*arch.Arch
	colBase [nabi]int32
)

func init() {
	for c, name := range columns {
		if a, ok := arch.ByName(name); ok {
			colArch[c], colBase[c] = a, Base(a)
		}
	}
}
