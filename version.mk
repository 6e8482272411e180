# SPDX-License-Identifier: GPL-2.0
# The release version, read from dkms.conf (its PACKAGE_VERSION is the one
# place it is written), for the programs' Makefiles that include this file:
# it reaches the preprocessor as DMABUF_LAB_VERSION, which --version prints.

DMABUF_LAB_TOP := $(dir $(lastword $(MAKEFILE_LIST)))
DMABUF_LAB_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$$/\1/p' \
	$(DMABUF_LAB_TOP)dkms.conf)
ifeq ($(DMABUF_LAB_VERSION),)
$(error no PACKAGE_VERSION in $(DMABUF_LAB_TOP)dkms.conf)
endif

# Once: a sub-make sees the CPPFLAGS of the make that called it.
ifeq ($(filter -DDMABUF_LAB_VERSION=%,$(CPPFLAGS)),)
override CPPFLAGS += -DDMABUF_LAB_VERSION='"$(DMABUF_LAB_VERSION)"'
endif
