package main

// #include <stdint.h>
// #include <stdlib.h>
import "C"

import "github.com/seccomptree/seccomptree/engine/policy"

//export stgo_attr_get
func stgo_attr_get(ctx C.uintptr_t, attr C.int, value *C.uint32_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil {
		return rc(err)
	}
	v, err := st.f.Get(policy.Attr(attr))
	if err != nil {
		return rc(err)
	}
	if value == nil {
		return rc(policy.ErrInvalid)
	}
	*value = C.uint32_t(v)
	return 0
}

//export stgo_attr_set
func stgo_attr_set(ctx C.uintptr_t, attr C.int, value C.uint32_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	st, err := lookup(ctx)
	if err != nil {
		return rc(err)
	}
	if err := st.f.Set(policy.Attr(attr), uint32(value)); err != nil {
		return rc(err)
	}
	st.changed()
	return 0
}
