// SPDX-License-Identifier: MIT
/*
 * Fill and verification patterns.  A byte value proves that data crossed
 * processes; "counter" writes each 32-bit word's own index, so a page that
 * shows up at the wrong offset (the classic multi-page mmap bug) is caught
 * and its origin can be named.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int pattern_parse(const char *s, struct pattern *p)
{
	struct pattern out;
	uint64_t v = 0;

	memset(&out, 0, sizeof(out));
	snprintf(out.text, sizeof(out.text), "%s", s);
	if (!strcmp(s, "counter")) {
		out.counter = 1;
		*p = out;
		return 0;
	}
	if (cli_parse_number(s, 0xff, &v))
		return -EINVAL;
	out.byte = (uint8_t)v;
	*p = out;
	return 0;
}

/* Byte @i of the counter pattern: little or big endian as the CPU is. */
static uint8_t counter_byte(size_t i)
{
	uint32_t word = (uint32_t)(i / 4);

	return ((const uint8_t *)&word)[i % 4];
}

void pattern_fill(const struct pattern *p, void *buf, size_t len)
{
	uint32_t *w = buf;
	uint8_t *b = buf;
	size_t i;

	if (!p->counter) {
		memset(buf, p->byte, len);
		return;
	}
	for (i = 0; i < len / 4; i++)
		w[i] = (uint32_t)i;
	for (i = len / 4 * 4; i < len; i++)
		b[i] = counter_byte(i);
}

static void explain_counter(const uint8_t *buf, size_t len, size_t off,
			    char *why, size_t why_len)
{
	size_t word = off / 4 * 4;
	uint32_t found = 0;

	if (word + 4 > len) {
		snprintf(why, why_len,
			 "offset 0x%zx: expected 0x%02x, found "
			 "0x%02x",
			 off, counter_byte(off), buf[off]);
		return;
	}
	memcpy(&found, buf + word, 4);
	snprintf(why, why_len,
		 "offset 0x%zx: expected 0x%08zx, found "
		 "0x%08x",
		 word, word / 4, found);
	/* A stray page of this buffer names where it came from. */
	if ((size_t)found * 4 < len)
		snprintf(why + strlen(why), why_len - strlen(why),
			 " (data of offset 0x%zx)", (size_t)found * 4);
}

int pattern_check(const struct pattern *p, const void *buf, size_t len,
		  char *why, size_t why_len)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t want = p->counter ? counter_byte(i) : p->byte;

		if (b[i] == want)
			continue;
		if (p->counter)
			explain_counter(b, len, i, why, why_len);
		else
			snprintf(why, why_len,
				 "offset 0x%zx: expected 0x%02x, "
				 "found 0x%02x",
				 i, want, b[i]);
		return 1;
	}
	return 0;
}
