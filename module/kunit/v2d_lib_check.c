// SPDX-License-Identifier: GPL-2.0
/*
 * v2d_emu/check.c compiled into the KUnit test module: the code under test,
 * unchanged, with its own copy of any static state.
 */
#include "../v2d_emu/check.c"
