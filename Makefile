# seccomptree: libseccomp.so.2 from Go.
#
#   make            build build/libseccomp.so.2 (and the libseccomp.so link)
#   make demo       build, then run a C program under a 300-syscall filter
#   make check      every test: Go, header, C consumers, differential
#   make install    PREFIX, DESTDIR, LIBDIR, INCLUDEDIR are honoured

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR    ?=

VERSION := 2.6.1
GO      ?= go
CC      ?= cc
BUILD   := build
LIB     := $(BUILD)/libseccomp.so.2

GO_SOURCES := $(shell find capi engine -name '*.go' -not -name '*_test.go') \
              $(wildcard capi/*.c capi/*.h) capi/libseccomp.map go.mod go.sum
HEADERS    := seccomp.h seccomp-syscalls.h

# -s -w: no symbol table or DWARF, a smaller mapping in every host process.
LDFLAGS := -s -w -extldflags '-Wl,-soname,libseccomp.so.2 -Wl,--version-script=$(CURDIR)/capi/libseccomp.map -Wl,-z,relro -Wl,-z,now'

.PHONY: all demo check test-go test-c test-abi install uninstall clean

all: $(LIB)

$(LIB): $(GO_SOURCES) $(HEADERS)
	@mkdir -p $(BUILD)
	CGO_ENABLED=1 $(GO) build -buildmode=c-shared -trimpath -ldflags "$(LDFLAGS)" -o $@ ./capi
	@rm -f $(BUILD)/libseccomp.so.h $(BUILD)/libseccomp.so.2.h
	ln -sf libseccomp.so.2 $(BUILD)/libseccomp.so

# Generated at install time: the paths are the install's, not the build's.
PC_SED := -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
          -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g'

demo: all
	c_tests/run.sh demo

# BENCHFLAGS=-quick for a smoke run; see go run ./abi_test/bench -h.
.PHONY: bench
bench: all
	SECCOMPTREE_LIBDIR=$(CURDIR)/$(BUILD) $(GO) run ./abi_test/bench $(BENCHFLAGS)

check: all test-go test-c

test-go: all
	SECCOMPTREE_LIBDIR=$(CURDIR)/$(BUILD) $(GO) test ./...

test-c: all
	c_tests/run.sh

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(LIB) $(DESTDIR)$(LIBDIR)/libseccomp.so.2
	ln -sf libseccomp.so.2 $(DESTDIR)$(LIBDIR)/libseccomp.so
	install -m 0644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	sed $(PC_SED) pkgconfig/libseccomp.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libseccomp.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libseccomp.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libseccomp.so.2 $(DESTDIR)$(LIBDIR)/libseccomp.so \
	      $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(HEADERS)) \
	      $(DESTDIR)$(PKGCONFIGDIR)/libseccomp.pc

clean:
	rm -rf $(BUILD) c_tests/bin
