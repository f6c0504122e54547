// SPDX-License-Identifier: MIT
/*
 * dmabuf-share: share dma-buf buffers between processes and devices.
 * This file only dispatches; each subcommand lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "serve", cmd_serve, "allocate a buffer and hand it to every client" },
	{ "attach", cmd_attach,
	  "receive a served buffer, map, verify or write it" },
	{ "drm-import", cmd_drm_import,
	  "receive a served buffer, import it into a DRM device" },
	{ "ls", cmd_ls,
	  "list every dma-buf, who holds it, which devices use it" },
	{ "info", cmd_info, "show the exporter's limits and live usage" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: dmabuf-share COMMAND [OPTIONS]\n\n"
		     "Share dma-buf buffers from /dev/dmabuf_exporter between "
		     "processes and devices.\n\nCommands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-11s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\n'dmabuf-share help COMMAND' (or COMMAND --help) "
		     "describes each command."
		     "\nExit status: 0 ok, 1 failure, 2 usage error.  "
		     "'dmabuf-share --version' prints\nthe version.\n");
}

static int run_command(const char *name, int argc, char **argv)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(name, commands[i].name))
			continue;
		cli_cmd = commands[i].name;
		return commands[i].run(argc, argv);
	}
	fprintf(stderr, "dmabuf-share: unknown command '%s'\n", name);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* Line-buffer so a reader on a pipe sees each event as it happens. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc == 2)) {
		usage(stdout);
		return EXIT_OK;
	}
	/* 'help CMD' is 'CMD --help', as in git and ip. */
	if (!strcmp(argv[1], "help") && argc == 3)
		return run_command(argv[2], 2,
				   (char *[]){ argv[2], "--help", NULL });
	if (!strcmp(argv[1], "--version")) {
		/* First line for scripts; the library may be a newer build. */
		printf("dmabuf-share %s\n", DMABUF_SHARE_BUILD_VERSION);
		printf("libdmabuf-share %s, protocol %u\n",
		       dmabuf_share_version_string(),
		       DMABUF_SHARE_PROTOCOL_VERSION);
		return EXIT_OK;
	}
	return run_command(argv[1], argc - 1, argv + 1);
}
