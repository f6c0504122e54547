// SPDX-License-Identifier: MIT
/*
 * Numbers on the command line.  strtoul(s, 0) would read "0100" as octal
 * and skip leading spaces; the documented syntax is decimal, or hex after
 * 0x, and nothing else.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The value of one hex digit (isxdigit() is true for @c). */
static unsigned int digit_value(char c)
{
	if (isdigit((unsigned char)c))
		return (unsigned int)(c - '0');
	return (unsigned int)(tolower((unsigned char)c) - 'a' + 10);
}

/* The digits at @s; returns the first byte after them, or NULL. */
static const char *parse_digits(const char *s, uint64_t *value)
{
	unsigned int base = 10;
	uint64_t v = 0;
	const char *p;

	if ((s[0] == '0') && (s[1] == 'x' || s[1] == 'X') &&
	    isxdigit((unsigned char)s[2])) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)*s))
		return NULL;
	for (p = s; isxdigit((unsigned char)*p); p++) {
		unsigned int d = digit_value(*p);

		if (d >= base)
			break;
		if (v > (UINT64_MAX - d) / base)
			return NULL;
		v = v * base + d;
	}
	if (p == s)
		return NULL;
	*value = v;
	return p;
}

int cli_parse_number(const char *s, uint64_t max, uint64_t *value)
{
	const char *end = parse_digits(s, value);

	return end && !*end && *value <= max ? 0 : -EINVAL;
}

/* K, M, G or KiB, MiB, GiB -> shift; 0 for none, -1 for anything else. */
static int suffix_shift(const char *s)
{
	static const char units[] = "KMG";
	const char *u;

	if (!*s)
		return 0;
	u = strchr(units, *s);
	if (!u || (s[1] && strcmp(s + 1, "iB")))
		return -1;
	return 10 * (int)(u - units + 1);
}

int cli_parse_size(const char *s, uint64_t *bytes)
{
	const char *end;
	uint64_t v = 0;
	int shift;

	end = parse_digits(s, &v);
	if (!end)
		return -EINVAL;
	shift = suffix_shift(end);
	if (shift < 0 || v == 0 || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*bytes = v << shift;
	return 0;
}

int cli_parse_seconds(const char *s, unsigned int max, unsigned int *seconds)
{
	uint64_t v = 0;

	/* Seconds have no hex form: "0x10" is refused, not read as 16. */
	if (strchr(s, 'x') || strchr(s, 'X') || cli_parse_number(s, max, &v))
		return -EINVAL;
	*seconds = (unsigned int)v;
	return 0;
}

int cli_timeout_ms(unsigned int seconds)
{
	return seconds ? (int)(seconds * 1000u) : -1;
}

/* Which rule a rejected size broke, checked in the order a reader would. */
const char *cli_size_error(const char *s, char *buf, size_t len)
{
	const char *end;
	uint64_t v = 0;
	int shift;

	if (!*s)
		return "it is empty";
	if (*s == '-' || *s == '+')
		return "no sign is allowed";
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    !isxdigit((unsigned char)s[2]))
		return "no digits after 0x";
	if (!isdigit((unsigned char)*s))
		return "it does not start with a digit";
	end = parse_digits(s, &v);
	if (!end)
		return "too large: more than 64 bits";
	if (*end == '.' || *end == ',')
		return "not a whole number";
	shift = suffix_shift(end);
	if (shift < 0) {
		snprintf(buf, len, "unknown unit '%s'", end);
		return buf;
	}
	if (v == 0)
		return "it must be above 0";
	if (v > (UINT64_MAX >> shift))
		return "too large: more than 64 bits";
	return "not a size";
}
