# dmabuf-lab top-level build.
#
#   make                 modules, user programs and guest tests
#   make demo            the classic flow in a QEMU guest (./test.sh --demo)
#   make test            the whole suite in a QEMU guest (./test.sh)
#   make check           checkpatch --strict, W=1, sparse, userspace -Werror
#   make install         modules, udev rule and programs, for the running kernel
#
# KDIR is the kernel tree to build against: the running kernel's when it
# has one (a board, a workstation), else the headers of the Debian kernel
# the tests boot. ARCH= and CROSS_COMPILE= pass through to kbuild.

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
DEBIAN_KVER := $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1)
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),/usr/src/linux-headers-$(DEBIAN_KVER))

PREFIX ?= /usr/local
DESTDIR ?=
UDEVDIR ?= /etc/udev/rules.d

.PHONY: all modules user tests demo test check install clean

all: modules user tests

modules:
	$(MAKE) -C module KDIR=$(KDIR)

user:
	$(MAKE) -C user

tests:
	$(MAKE) -C tests

demo:
	./test.sh --demo

test:
	./test.sh

check:
	test/check.sh

install: modules user
	$(MAKE) -C module KDIR=$(KDIR) modules_install INSTALL_MOD_DIR=updates/dmabuf-lab
	install -D -m 0644 udev/60-dmabuf-lab.rules $(DESTDIR)$(UDEVDIR)/60-dmabuf-lab.rules
	install -D -m 0755 user/user_prog $(DESTDIR)$(PREFIX)/bin/user_prog
	install -D -m 0755 user/v2d_demo $(DESTDIR)$(PREFIX)/bin/v2d_demo
	install -D -m 0755 user/dmabuf-inspect/dmabuf-inspect $(DESTDIR)$(PREFIX)/bin/dmabuf-inspect
	install -D -m 0644 man/dmabuf-inspect.1 $(DESTDIR)$(PREFIX)/share/man/man1/dmabuf-inspect.1

clean:
	$(MAKE) -C module KDIR=$(KDIR) clean
	$(MAKE) -C user clean
	$(MAKE) -C tests clean
