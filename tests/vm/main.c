// SPDX-License-Identifier: GPL-2.0
/*
 * exporter-tests: the exporter's CUnit suites, run as root inside the test
 * VM with the module loaded.
 *
 * usage: exporter-tests [SUITE...]   (default: every suite, module last)
 * Exit status: 0 when every registered test passed; skipped tests are
 * listed with their reason and never counted as passed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <CUnit/Basic.h>

#include "harness.h"

static const struct vm_suite *const all_suites[] = {
	&suite_alloc,
	&suite_abi_errors,
	&suite_mmap,
	&suite_pmd,
	&suite_share,
	&suite_cpu_access,
	&suite_import,
	&suite_importers,
	&suite_regressions,
	&suite_v4l2,
	&suite_stress,
	&suite_cache,
	&suite_memory,
	&suite_fill,
	&suite_memcg,
	&suite_edu,
	/* Last: it unloads and reloads the module. */
	&suite_module,
};

static int skipped;
static struct timespec suite_start;

static int suite_begin(void)
{
	clock_gettime(CLOCK_MONOTONIC, &suite_start);
	return 0;
}

/* Each suite's time, so the budget of a boot can be read off its log. */
static int suite_end(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("\nsuite-time %s %.1f s\n", CU_get_current_suite()->pName,
	       (double)(now.tv_sec - suite_start.tv_sec) +
		       (double)(now.tv_nsec - suite_start.tv_nsec) / 1e9);
	return 0;
}

static int wanted(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

static int add_suite(const struct vm_suite *s)
{
	CU_pSuite suite = CU_add_suite(s->name, suite_begin, suite_end);
	const struct vm_test *t;

	if (!suite)
		return -1;
	for (t = s->tests; t->name; t++) {
		const char *why = t->needs ? t->needs() : NULL;

		if (why) {
			printf("SKIP %s/%s: %s\n", s->name, t->name, why);
			skipped++;
			continue;
		}
		if (!CU_add_test(suite, t->name, t->fn))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int i, failed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (dev_fd() < 0) {
		perror("cannot open " EXPORTER_DEV
		       " (is dmabuf_exporter loaded?)");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	for (i = 0; i < sizeof(all_suites) / sizeof(all_suites[0]); i++)
		if (wanted(all_suites[i]->name, argc, argv) &&
		    add_suite(all_suites[i]))
			return 1;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	printf("\nexporter-tests: %u tests run, %u asserts failed, %u tests failed, %d skipped\n",
	       CU_get_number_of_tests_run(), CU_get_number_of_failures(),
	       CU_get_number_of_tests_failed(), skipped);
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
