# dmabuf-lab top-level build.
#
#   make                 modules, libdmabuf-lab, user programs and guest tests
#   make demo            the classic flow in a QEMU guest (./test.sh --demo)
#   make test            the whole suite in a QEMU guest (./test.sh)
#   make check           checkpatch --strict, W=1, sparse, userspace -Werror,
#                        and every host-side test (no guest): the library's
#                        unit tests and ABI, the tools' (user/*/tests,
#                        user/tests), the harness's (harness/tests)
#   make install         modules, udev rule and programs, for the running kernel
#   make install-tools   the programs and their manual pages
#   make install-lib     libdmabuf-lab.so.0, which the programs need when
#                        built with DMABUF_LAB_LINK=shared
#   make install-dev     the headers (uapi and dmabuf-lab.h), the library's
#                        archive and .so link, dmabuf-lab.pc and the
#                        section 3 manual pages, for programs built outside
#                        this tree
#   make install-dkms    the module sources and dkms.conf under /usr/src
#
# Every install target honours DESTDIR and PREFIX (default /usr/local), and
# LIBDIR (PREFIX/lib; Debian's multiarch folder for the packages);
# install-dkms writes to DKMSSRCDIR (default /usr/src), where dkms looks.
# The programs link libdmabuf-lab statically unless DMABUF_LAB_LINK=shared.
#
# KDIR is the kernel tree to build against: the running kernel's when it
# has one (a board, a workstation), else the headers of the Debian kernel
# the tests boot. ARCH= and CROSS_COMPILE= pass through to kbuild.

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
DEBIAN_KVER := $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1)
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),/usr/src/linux-headers-$(DEBIAN_KVER))

include version.mk

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
INCLUDEDIR ?= $(PREFIX)/include
LIBDIR ?= $(PREFIX)/lib
# The .pc names the library's folder: one per architecture.
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
UDEVDIR ?= /etc/udev/rules.d
DKMSSRCDIR ?= /usr/src

TOOLS := user/user_prog user/v2d_demo user/dmabuf-inspect/dmabuf-inspect \
	user/dmabuf-bench/dmabuf-bench user/dmabuf-conform/dmabuf-conform
MANPAGES := $(patsubst %,man/%.1,$(notdir $(TOOLS)))
UAPI := include/uapi/pagebuf.h include/uapi/v2d_emu.h
MAN3 := $(wildcard man/*.3)
LIB_ARGS = DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) INCLUDEDIR=$(INCLUDEDIR)

.PHONY: all modules lib user tests demo test check install install-tools \
	install-lib install-dev install-dkms dmabuf-lab.pc clean clean-programs

all: modules lib user tests

modules:
	$(MAKE) -C module KDIR=$(KDIR)

lib:
	$(MAKE) -C lib

# The programs' Makefiles build the library too; first, so that they do
# not both build it at once under -j.
user: lib
	$(MAKE) -C user

tests: lib
	$(MAKE) -C tests

demo:
	./test.sh --demo

test:
	./test.sh

check:
	harness/check.sh

install: modules install-tools
	$(MAKE) -C module KDIR=$(KDIR) modules_install INSTALL_MOD_DIR=updates/dmabuf-lab
	install -D -m 0644 udev/60-dmabuf-lab.rules $(DESTDIR)$(UDEVDIR)/60-dmabuf-lab.rules

install-tools: user
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/

install-lib: lib
	$(MAKE) -C lib install-runtime $(LIB_ARGS)

# Programs include the headers as <dmabuf-lab.h> and <uapi/pagebuf.h> with
# -Iinclude in this tree; outside it, pkg-config's Cflags point at the
# folder that holds both.
install-dev: dmabuf-lab.pc lib
	install -d $(DESTDIR)$(INCLUDEDIR)/dmabuf-lab/uapi $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(MANDIR)/man3
	install -m 0644 $(UAPI) $(DESTDIR)$(INCLUDEDIR)/dmabuf-lab/uapi/
	$(MAKE) -C lib install-dev $(LIB_ARGS)
	install -m 0644 dmabuf-lab.pc $(DESTDIR)$(PKGCONFIGDIR)/
	install -m 0644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/

# Always regenerated: its prefix is the one of this make run.
dmabuf-lab.pc: dmabuf-lab.pc.in
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(DMABUF_LAB_VERSION)|' $< >$@.tmp
	mv $@.tmp $@

# What dkms.conf's MAKE line needs, and no build output: dkms builds
# module/ against include/uapi/.
DKMS_DEST = $(DESTDIR)$(DKMSSRCDIR)/dmabuf-lab-$(DMABUF_LAB_VERSION)
install-dkms:
	install -D -m 0644 dkms.conf $(DKMS_DEST)/dkms.conf
	find module include/uapi -type f \( -name '*.[ch]' ! -name '*.mod.c' \
		-o -name Kbuild -o -name Makefile \) -print | LC_ALL=C sort | \
	while read -r f; do \
		install -D -m 0644 "$$f" "$(DKMS_DEST)/$$f" || exit 1; \
	done

clean: clean-programs
	$(MAKE) -C module KDIR=$(KDIR) clean

clean-programs:
	$(MAKE) -C lib clean
	$(MAKE) -C user clean
	$(MAKE) -C tests clean
	$(MAKE) -C harness/tests clean
	rm -f dmabuf-lab.pc dmabuf-lab.pc.tmp
