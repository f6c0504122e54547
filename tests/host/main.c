// SPDX-License-Identifier: MIT
/*
 * Host-side tests of libdmabuf-share and the dmabuf-share CLI: everything
 * that needs no kernel module.  Exit status is nonzero on any failure.
 */
#include <CUnit/CUnit.h>

#include "helpers.h"
#include "suites.h"

static CU_SuiteInfo suites[] = {
	{ .pName = "fd passing", .pTests = fdpass_tests },
	{ .pName = "message header", .pTests = header_tests },
	{ .pName = "server and client", .pTests = server_tests },
	{ .pName = "buffer calls on non-dma-bufs", .pTests = buffer_tests },
	{ .pName = "inventory", .pTests = inventory_tests },
	{ .pName = "timeouts", .pTests = wait_tests },
	{ .pName = "socket paths", .pTests = path_tests },
	{ .pName = "ABI", .pTests = abi_tests },
	{ .pName = "CLI patterns and numbers", .pTests = pattern_tests },
	{ .pName = "CLI serve loop", .pTests = serve_loop_tests },
	{ .pName = "CLI", .pTests = cli_tests },
	{ .pName = "1.0 freeze", .pTests = freeze_tests },
	{ .pName = "server path lock", .pTests = lock_tests },
	{ .pName = "inventory at scale", .pTests = scale_tests },
	{ .pName = "ls and info for scripts", .pTests = ls_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_main(suites, NULL);
}
