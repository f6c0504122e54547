// SPDX-License-Identifier: MIT
/*
 * The CLI's PATTERN syntax and checks (cli/pattern.c, linked in): what
 * --fill, --write and --verify accept, and that "counter" catches a page
 * at the wrong offset and names where it came from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cli.h"
#include "suites.h"

static void test_parse_accepts_bytes_and_counter(void)
{
	struct pattern p;

	CU_ASSERT_EQUAL(pattern_parse("0xAB", &p), 0);
	CU_ASSERT_EQUAL(p.byte, 0xab);
	CU_ASSERT_FALSE(p.counter);
	CU_ASSERT_EQUAL(pattern_parse("171", &p), 0);
	CU_ASSERT_EQUAL(p.byte, 171);
	CU_ASSERT_EQUAL(pattern_parse("0", &p), 0);
	CU_ASSERT_EQUAL(p.byte, 0);
	CU_ASSERT_EQUAL(pattern_parse("counter", &p), 0);
	CU_ASSERT_TRUE(p.counter);
}

static void test_parse_rejects_the_rest(void)
{
	struct pattern p;

	CU_ASSERT_NOT_EQUAL(pattern_parse("256", &p), 0);
	CU_ASSERT_NOT_EQUAL(pattern_parse("-1", &p), 0);
	CU_ASSERT_NOT_EQUAL(pattern_parse("", &p), 0);
	CU_ASSERT_NOT_EQUAL(pattern_parse("0xAB ", &p), 0);
	CU_ASSERT_NOT_EQUAL(pattern_parse("Counter", &p), 0);
}

static void test_fill_then_check_matches(void)
{
	static const char *const names[] = { "0x5a", "counter" };
	unsigned char buf[4096 + 3];
	char why[128];
	struct pattern p;
	size_t i;

	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(pattern_parse(names[i], &p), 0);
		pattern_fill(&p, buf, sizeof(buf));
		CU_ASSERT_EQUAL(pattern_check(&p, buf, sizeof(buf), why,
					      sizeof(why)),
				0);
	}
}

static void test_byte_mismatch_names_offset(void)
{
	unsigned char buf[256];
	char why[128] = "";
	struct pattern p;

	pattern_parse("0x5a", &p);
	pattern_fill(&p, buf, sizeof(buf));
	buf[200] = 0x00;
	CU_ASSERT_EQUAL(pattern_check(&p, buf, sizeof(buf), why, sizeof(why)),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "offset 0xc8"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "found 0x00"));
}

/* The multi-page mmap bug: page 1 shows page 0's data. */
static void test_counter_catches_a_swapped_page(void)
{
	unsigned char *buf = malloc(3 * 4096);
	char why[160] = "";
	struct pattern p;

	pattern_parse("counter", &p);
	pattern_fill(&p, buf, 3 * 4096);
	memcpy(buf + 4096, buf, 4096);
	CU_ASSERT_EQUAL(pattern_check(&p, buf, 3 * 4096, why, sizeof(why)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "offset 0x1000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "data of offset 0x0"));
	free(buf);
}

/* Issue 11, item 5: decimal or 0x hex, nothing else; a leading 0 is decimal. */
static void test_numbers_are_decimal_or_hex(void)
{
	struct pattern p;
	uint64_t v = 0;
	unsigned int s = 0;

	CU_ASSERT_EQUAL(cli_parse_size("0100K", &v), 0);
	CU_ASSERT_EQUAL(v, 100 * 1024);
	CU_ASSERT_EQUAL(cli_parse_size("010", &v), 0);
	CU_ASSERT_EQUAL(v, 10);
	CU_ASSERT_EQUAL(cli_parse_size("0x1000", &v), 0);
	CU_ASSERT_EQUAL(v, 4096);
	CU_ASSERT_EQUAL(cli_parse_size("0X10K", &v), 0);
	CU_ASSERT_EQUAL(v, 16 * 1024);
	CU_ASSERT_EQUAL(cli_parse_size("4KiB", &v), 0);
	CU_ASSERT_EQUAL(v, 4096);
	CU_ASSERT_EQUAL(cli_parse_size("2M", &v), 0);
	CU_ASSERT_EQUAL(v, 2 << 20);
	CU_ASSERT_EQUAL(cli_parse_size("1GiB", &v), 0);
	CU_ASSERT_EQUAL(v, 1 << 30);
	CU_ASSERT_EQUAL(pattern_parse("010", &p), 0);
	CU_ASSERT_EQUAL(p.byte, 10);
	CU_ASSERT_EQUAL(cli_parse_seconds("010", 100, &s), 0);
	CU_ASSERT_EQUAL(s, 10);
}

static void test_numbers_reject_what_is_not_documented(void)
{
	static const char *const bad_sizes[] = {
		"",
		" 4K",
		"4K ",
		"+4K",
		"-4K",
		"4k",
		"4m",
		"4g",
		"4kB",
		"4Ki",
		"4KB",
		"0",
		"0x",
		"0xg",
		"4T",
		"1e3",
		"4.5",
		"18446744073709551616",
		"17179869184G",
	};
	unsigned int s = 0;
	uint64_t v = 77;
	size_t i;

	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		CU_ASSERT_EQUAL(cli_parse_size(bad_sizes[i], &v), -EINVAL);
		if (v != 77)
			fprintf(stderr, "accepted size '%s'\n", bad_sizes[i]);
	}
	CU_ASSERT_EQUAL(cli_parse_seconds("0x10", 100, &s), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_seconds("101", 100, &s), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_seconds(" 1", 100, &s), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_seconds("-1", 100, &s), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_number("256", 255, &v), -EINVAL);
	CU_ASSERT_EQUAL(cli_parse_number("0xff", 255, &v), 0);
	CU_ASSERT_EQUAL(v, 255);
	CU_ASSERT_EQUAL(cli_timeout_ms(0), -1);
	CU_ASSERT_EQUAL(cli_timeout_ms(TIMEOUT_MAX), 86400000);
}

CU_TestInfo pattern_tests[] = {
	{ "numbers: decimal (leading 0 too) or 0x hex",
	  test_numbers_are_decimal_or_hex },
	{ "numbers: spaces, signs, lower-case suffixes refused",
	  test_numbers_reject_what_is_not_documented },
	{ "parse accepts bytes and counter",
	  test_parse_accepts_bytes_and_counter },
	{ "parse rejects everything else", test_parse_rejects_the_rest },
	{ "fill then check matches", test_fill_then_check_matches },
	{ "byte mismatch names the offset", test_byte_mismatch_names_offset },
	{ "counter catches a swapped page",
	  test_counter_catches_a_swapped_page },
	CU_TEST_INFO_NULL,
};
