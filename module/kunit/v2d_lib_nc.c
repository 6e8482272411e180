// SPDX-License-Identifier: GPL-2.0
/*
 * v2d_emu/nc.c compiled into the KUnit test module: the code under test,
 * unchanged.
 */
#include "../v2d_emu/nc.c"
