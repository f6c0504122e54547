/* SPDX-License-Identifier: MIT */
/* The host suites, each defined in its own file and run by main.c. */
#ifndef DMABUF_SHARE_TEST_SUITES_H
#define DMABUF_SHARE_TEST_SUITES_H

#include <CUnit/CUnit.h>

extern CU_TestInfo fdpass_tests[];
extern CU_TestInfo header_tests[];
extern CU_TestInfo server_tests[];
extern CU_TestInfo buffer_tests[];
extern CU_TestInfo inventory_tests[];
extern CU_TestInfo pattern_tests[];
extern CU_TestInfo cli_tests[];
extern CU_TestInfo wait_tests[];
extern CU_TestInfo path_tests[];
extern CU_TestInfo serve_loop_tests[];
extern CU_TestInfo abi_tests[];
extern CU_TestInfo freeze_tests[];
extern CU_TestInfo lock_tests[];
extern CU_TestInfo scale_tests[];
extern CU_TestInfo ls_tests[];

/* bufinfo text of @n buffers, inodes 1 to @n out of order (test_scale.c). */
char *scale_bufinfo_text(size_t n);

#endif /* DMABUF_SHARE_TEST_SUITES_H */
