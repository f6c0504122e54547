// SPDX-License-Identifier: MIT
/*
 * The little JSON that --json needs: strings escaped as RFC 8259 asks,
 * numbers, null.  Output only; nothing here parses.
 */
#include <stdio.h>

#include "cli.h"

/* Bytes in the valid UTF-8 sequence at @p, or 0 (RFC 3629, no overlongs). */
static int utf8_len(const unsigned char *p)
{
	int n, i;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] > 0x9f) ||
	    (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

/*
 * Names come from the kernel as bytes: valid UTF-8 passes, any other byte
 * becomes U+FFFD, so the output is always valid JSON.
 */
void json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	fputc('"', out);
	for (; *p; p++) {
		if (*p >= 0x80) {
			n = utf8_len(p);
			if (n)
				fwrite(p, 1, (size_t)n, out);
			else
				fputs("\\ufffd", out);
			p += n ? n - 1 : 0;
		} else if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

void json_string_or_null(FILE *out, const char *s)
{
	if (s && *s)
		json_string(out, s);
	else
		fputs("null", out);
}
