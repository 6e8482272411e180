// SPDX-License-Identifier: GPL-2.0
/* The optional error buffer every function with more to say than errno takes. */
#include <stdio.h>

#include "internal.h"

void dl_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	/* A message cut short is still a message: the return is not needed. */
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
