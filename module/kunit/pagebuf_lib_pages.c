// SPDX-License-Identifier: GPL-2.0
/*
 * pagebuf/pages.c compiled into the KUnit test module: the code under test,
 * unchanged, with its own copy of any static state.
 */
#include "../pagebuf/pages.c"
