# Top-level build. The module is built against the headers of the Debian
# kernel the tests boot: by default the ABI that the installed
# linux-headers-amd64 meta-package points at (override with KDIR=...).

KVER_DEFAULT := $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n 1)
KDIR ?= /usr/src/linux-headers-$(KVER_DEFAULT)

.PHONY: all modules user tests demo test clean

all: modules user tests

modules:
	$(MAKE) -C module KDIR=$(KDIR)

user:
	$(MAKE) -C user

tests:
	$(MAKE) -C tests

# Boots the guest: see ./test.sh --help.
demo:
	./test.sh --demo

test:
	./test.sh

clean:
	$(MAKE) -C module KDIR=$(KDIR) clean
	$(MAKE) -C user clean
	$(MAKE) -C tests clean
