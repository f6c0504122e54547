// SPDX-License-Identifier: MIT
/*
 * ls at scale (issue 18, item 13): building an inventory of N buffers,
 * each attached to a device and held by two processes, must take time
 * linear in N.  Measured in process CPU time (other load on the machine
 * does not count), best of three, for 5,000 and 20,000 buffers: linear is
 * 4 times, quadratic 16; the limit is 8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "private.h"
#include "helpers.h"
#include "suites.h"

/* bufinfo text as 6.1 prints it, one device per buffer. */
static char *bufinfo_text(size_t n)
{
	size_t len = 0, i;
	char *text = NULL;
	FILE *f = open_memstream(&text, &len);

	fprintf(f, "\nDma-buf Objects:\nsize    \tflags   \tmode    \tcount"
		   "   \texp_name\tino     \tname\n");
	/* Inodes out of order, as a hash table or a sort must cope with. */
	for (i = 0; i < n; i++)
		fprintf(f,
			"00004096\t00000002\t00080007\t00000003\tdmabuf_exporter"
			"\t%08zu\tbuf%zu\n\tAttached Devices:\n\tvgem\n"
			"Total 1 devices attached\n\n",
			(i * 7919) % n + 1, i);
	fprintf(f, "\nTotal %zu objects, %zu bytes\n", n, n * 4096);
	fclose(f);
	return text;
}

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One inventory of @n buffers as dmabuf_share_inventory_read() builds it. */
static double build_once(const char *text, size_t n)
{
	struct dmabuf_share_inventory *inv = calloc(1, sizeof(*inv));
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	double start = cpu_seconds();
	size_t i, bad = 0;

	CU_ASSERT_EQUAL(dbs_parse_bufinfo(f, inv), 0);
	/* The /proc walk: each buffer found again, by two processes. */
	for (i = 0; i < n; i++) {
		struct dmabuf_share_buffer *b = dbs_inv_find(inv, i + 1);

		bad += !b || dbs_buffer_add_holder(b, 100, (int)i + 3) ||
		       dbs_buffer_add_holder(b, 200 + (pid_t)i, -1);
	}
	CU_ASSERT_EQUAL(bad, 0);
	dbs_inv_finish(inv);
	start = cpu_seconds() - start;
	CU_ASSERT_EQUAL(dmabuf_share_inventory_count(inv), n);
	fclose(f);
	dmabuf_share_inventory_free(inv);
	return start;
}

static double build_best(size_t n)
{
	char *text = bufinfo_text(n);
	double best = 1e9;
	int i;

	for (i = 0; i < 3; i++) {
		double t = build_once(text, n);

		best = t < best ? t : best;
	}
	free(text);
	return best;
}

static void test_inventory_builds_in_linear_time(void)
{
	double t5 = build_best(5000), t10 = build_best(10000),
	       t20 = build_best(20000);

	fprintf(stderr, "\n    inventory of 5,000 / 10,000 / 20,000 buffers: "
			"%.1f / %.1f / %.1f ms CPU\n",
		t5 * 1e3, t10 * 1e3, t20 * 1e3);
	CU_ASSERT(t20 < 8 * t5 + 0.002);
}

CU_TestInfo scale_tests[] = {
	{ "an inventory of 20,000 buffers builds in linear time",
	  test_inventory_builds_in_linear_time },
	CU_TEST_INFO_NULL,
};
