// SPDX-License-Identifier: GPL-2.0
/*
 * pagebuf/stats.c compiled into the KUnit test module: the code under test,
 * unchanged, with its own copy of any static state.
 */
#include "../pagebuf/stats.c"
