# SPDX-License-Identifier: GPL-2.0
# How a program's Makefile links libdmabuf-lab; included after version.mk.
#
#   DMABUF_LAB_LINK=static    the archive, linked into the program (the
#                             default: the guest's initramfs and the cross
#                             lanes carry each program alone)
#   DMABUF_LAB_LINK=shared    -ldmabuf-lab, for the Debian packages, whose
#                             tools depend on libdmabuf-lab0
#
# DMABUF_LAB_LIB is the file a program depends on, DMABUF_LAB_LIBS what it
# links with. The library is built by its own Makefile, run every time so
# that a changed source reaches the programs; a program is relinked only
# when the file actually changed.

# Included before the including Makefile's first rule: its rules below
# must not become the default goal.
dmabuf_lab_goal := $(.DEFAULT_GOAL)

DMABUF_LAB_LIBDIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
DMABUF_LAB_LINK ?= static

ifeq ($(DMABUF_LAB_LINK),shared)
DMABUF_LAB_LIB := $(DMABUF_LAB_LIBDIR)/libdmabuf-lab.so
DMABUF_LAB_LIBS := -L$(DMABUF_LAB_LIBDIR) -ldmabuf-lab
else ifeq ($(DMABUF_LAB_LINK),static)
DMABUF_LAB_LIB := $(DMABUF_LAB_LIBDIR)/libdmabuf-lab.a
DMABUF_LAB_LIBS := $(DMABUF_LAB_LIB)
else
$(error DMABUF_LAB_LINK is static or shared, not '$(DMABUF_LAB_LINK)')
endif

$(DMABUF_LAB_LIB): dmabuf-lab-lib-FORCE
	$(MAKE) -C $(DMABUF_LAB_LIBDIR) CC="$(CC)"

.PHONY: dmabuf-lab-lib-FORCE
dmabuf-lab-lib-FORCE:

.DEFAULT_GOAL := $(dmabuf_lab_goal)
