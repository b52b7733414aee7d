package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// jnode is a decoded JSON value with the path that leads to it, so that
// every complaint about a profile can say where the offending field is
// ("syscalls[3].args[0].op"). encoding/json's own errors name Go struct
// fields without array indices, which is not enough to find a mistake in
// a 400-rule profile.
type jnode struct {
	path string
	v    any
}

// pathError is a profile mistake at a path.
type pathError struct {
	path string
	msg  string
}

func (e *pathError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

func (n jnode) errorf(format string, a ...any) error {
	return &pathError{n.path, fmt.Sprintf(format, a...)}
}

// decodeJSON parses one JSON document, keeping numbers exact.
func decodeJSON(data []byte) (jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line, col := position(data, syn.Offset)
			return jnode{}, fmt.Errorf("line %d, column %d: %v", line, col, err)
		}
		return jnode{}, err
	}
	if dec.More() {
		return jnode{}, errors.New("trailing data after the JSON document")
	}
	return jnode{v: v}, nil
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
}

func (n jnode) isNull() bool { return n.v == nil }

func (n jnode) typeName() string {
	switch n.v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", n.v)
}

// object returns n's members. Keys outside known are an error: a
// misspelt "errnoRet" silently ignored would change what the filter does.
func (n jnode) object(known ...string) (map[string]jnode, error) {
	m, ok := n.v.(map[string]any)
	if !ok {
		return nil, n.errorf("want an object, found %s", n.typeName())
	}
	out := make(map[string]jnode, len(m))
	var unknown []string
	for k, v := range m {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
			continue
		}
		if v != nil { // null is the same as absent, as encoding/json has it
			out[k] = jnode{n.child(k), v}
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, &pathError{n.child(unknown[0]), fmt.Sprintf("unknown field (known: %s)", strings.Join(known, ", "))}
	}
	return out, nil
}

func (n jnode) child(key string) string {
	if n.path == "" {
		return key
	}
	return n.path + "." + key
}

func (n jnode) array() ([]jnode, error) {
	a, ok := n.v.([]any)
	if !ok {
		return nil, n.errorf("want an array, found %s", n.typeName())
	}
	out := make([]jnode, len(a))
	for i, v := range a {
		out[i] = jnode{fmt.Sprintf("%s[%d]", n.path, i), v}
	}
	return out, nil
}

func (n jnode) str() (string, error) {
	s, ok := n.v.(string)
	if !ok {
		return "", n.errorf("want a string, found %s", n.typeName())
	}
	return s, nil
}

func (n jnode) strs() ([]string, error) {
	items, err := n.array()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(items))
	for i, it := range items {
		if out[i], err = it.str(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// uint returns n as an unsigned integer of at most bits bits.
func (n jnode) uint(bits int) (uint64, error) {
	num, ok := n.v.(json.Number)
	if !ok {
		return 0, n.errorf("want a number, found %s", n.typeName())
	}
	v, err := strconv.ParseUint(num.String(), 10, bits)
	if err != nil {
		return 0, n.errorf("want an integer from 0 to %d, found %s", uint64(1)<<bits-1, num)
	}
	return v, nil
}
