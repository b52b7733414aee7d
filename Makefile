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
# asyncpreemptoff=1: the runtime must not signal the host's threads to
# preempt them (tgkill is one more syscall a filter would have to allow,
# and SIGURG one more signal the runtime would keep unblocked).
# containermaxprocs=0, updatemaxprocs=0: GOMAXPROCS is fixed (capi/runtime.go);
# the runtime keeps no cgroup file open and never re-reads it (it still
# reads it once while starting). decoratemappings=0: no prctl(PR_SET_VMA)
# after the mappings the runtime makes once started, one syscall fewer for
# a filter to allow when the heap grows. madvdontneed=0: memory a
# collection frees goes back with MADV_FREE, so the next filters reuse it
# without page faults (MADV_DONTNEED cost each build 15% in refaults).
# -checklinkname=0: capi/fork.go reaches the runtime's scheduler lock to
# hold it across fork() (see capi/fork.c).
LDFLAGS := -s -w -checklinkname=0 -X=runtime.godebugDefault=asyncpreemptoff=1,containermaxprocs=0,updatemaxprocs=0,decoratemappings=0,madvdontneed=0 -extldflags '-Wl,-soname,libseccomp.so.2 -Wl,--version-script=$(CURDIR)/capi/libseccomp.map -Wl,-z,relro -Wl,-z,now'

.PHONY: all demo check test-go test-c test-abi install uninstall clean

all: $(LIB) tool man

$(LIB): $(GO_SOURCES) $(HEADERS)
	@mkdir -p $(BUILD)
	CGO_ENABLED=1 $(GO) build -buildmode=c-shared -trimpath -ldflags "$(LDFLAGS)" -o $@ ./capi
	@rm -f $(BUILD)/libseccomp.so.h $(BUILD)/libseccomp.so.2.h
	ln -sf libseccomp.so.2 $(BUILD)/libseccomp.so

# The seccomptree command and the man pages (roff generated from
# capi/man/*.md by go-md2man; other names a page documents become .so
# aliases of it).
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
TOOL        := $(BUILD)/seccomptree
MAN_SOURCES := $(wildcard capi/man/*.md)
MAN_STAMP   := $(BUILD)/man/.stamp

.PHONY: tool man install-tool install-man

tool: $(TOOL)

$(TOOL): $(GO_SOURCES)
	@mkdir -p $(BUILD)
	CGO_ENABLED=0 $(GO) build -trimpath -o $@ ./engine/cmd/seccomptree

man: $(MAN_STAMP)

$(MAN_STAMP): $(MAN_SOURCES) $(wildcard engine/cmd/md2man/*.go) go.mod go.sum
	rm -rf $(BUILD)/man
	$(GO) run ./engine/cmd/md2man -o $(BUILD)/man $(MAN_SOURCES)
	touch $@

install-tool: $(TOOL)
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(TOOL) $(DESTDIR)$(BINDIR)/seccomptree

install-man: $(MAN_STAMP)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 0644 $(BUILD)/man/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(BUILD)/man/man3/*.3 $(DESTDIR)$(MANDIR)/man3/

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

install: all install-tool install-man
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(LIB) $(DESTDIR)$(LIBDIR)/libseccomp.so.2
	ln -sf libseccomp.so.2 $(DESTDIR)$(LIBDIR)/libseccomp.so
	install -m 0644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	sed $(PC_SED) pkgconfig/libseccomp.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libseccomp.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libseccomp.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libseccomp.so.2 $(DESTDIR)$(LIBDIR)/libseccomp.so \
	      $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(HEADERS)) \
	      $(DESTDIR)$(PKGCONFIGDIR)/libseccomp.pc \
	      $(DESTDIR)$(BINDIR)/seccomptree $(DESTDIR)$(MANDIR)/man1/seccomptree.1 \
	      $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(wildcard $(BUILD)/man/man3/*.3)))

clean:
	rm -rf $(BUILD) c_tests/bin
