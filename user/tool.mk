# SPDX-License-Identifier: GPL-2.0
# How every program under user/ is built: the compiler (CROSS_COMPILE, or
# CC as given), the version, libdmabuf-lab and the warnings. Included
# first by each Makefile here, which sets TOP (the repository's top,
# relative to itself) and may set CFLAGS before.

CROSS_COMPILE ?=
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif

include $(TOP)/version.mk
include $(TOP)/lib/lib.mk

CFLAGS ?= -O2
override CFLAGS += -Wall -Wextra -Werror -I$(TOP)/include
LDFLAGS ?=
