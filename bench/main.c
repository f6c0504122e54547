// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-bench: the exporter against memfd, udmabuf and the dma-buf heaps,
 * in one boot, as root, with dmabuf_exporter loaded.  scripts/bench.sh
 * runs it in the test VM and turns its result lines into docs/bench/.
 *
 * usage: dmabuf-bench [--accel NAME] [--host-cpu MODEL] [--reps N]
 *                     [--rounds N] [--frames N] [--cpu-ms N] [--bw-reps N]
 *                     [--fanout-reps N] [--procs N] [--sizes 4K,64K,...]
 *                     [--only METRIC,...] [--providers NAME,...]
 *                     [--tag TAG] [--quick]
 *   METRIC: frame steps cycle remap bandwidth handoff fanout scale
 *   (default: all)
 *   --rounds, --frames: the frame loop takes every provider in turn, in a
 *   new order each round (default 7), for N cycles back to back (default 20)
 *   --cpu-ms: the frame loop's CPU time per cycle (all CPUs: wall time
 *   less idle from /proc/stat) takes the providers in turn for the same
 *   rounds, each turn cycling back to back for N ms of wall time (default
 *   1000: /proc/stat counts in 10 ms units, so one turn resolves 1%)
 *   --providers: measure only these (default: all), the rest are reported
 *   n/a as not selected
 *   --tag: report the exporter's rows as exporter-TAG (e.g. the module
 *   reloaded with cache_size=0 as "nocache")
 *   --reps: cycle and remap repeats (default 100; twice that below 1 MiB,
 *   a fifth from 64 MiB up, at least 3); hand-off takes 40, fan-out 3
 *   --scale-cap N: most live buffers in the scale test (default 10200;
 *   0: up to the exporter's total_limit)
 *   --quick: few repeats and a small scale cap, for trying things out
 *
 * For every size, each measurement interleaves all providers; medians with
 * min and max go out as @@BENCH lines (format in stats.c).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const char *only =
	"frame,steps,cycle,remap,bandwidth,handoff,fanout,scale";
static size_t sizes[16] = { 64 * KIB, MIB, 2 * MIB, 4 * MIB };
static int nr_sizes = 4;

static int wanted(const char *metric)
{
	const char *s = strstr(only, metric);
	size_t n = strlen(metric);

	return s && (s == only || s[-1] == ',') && (!s[n] || s[n] == ',');
}

/* "4K,64K,1M" -> sizes[] */
static void parse_sizes(const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL, *end;

	nr_sizes = 0;
	for (tok = strtok_r(copy, ",", &save); tok && nr_sizes < 16;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned long v = strtoul(tok, &end, 0);

		if (*end == 'K' || *end == 'k')
			v *= KIB;
		else if (*end == 'M' || *end == 'm')
			v *= MIB;
		sizes[nr_sizes++] = v;
	}
	free(copy);
}

/* First "model name" of /proc/cpuinfo. */
static void guest_cpu(char *out, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(out, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && v) {
			v[strcspn(v, "\n")] = 0;
			snprintf(out, len, "%s", v + 2);
			break;
		}
	}
	if (f)
		fclose(f);
}

static void set_context(const char *accel, const char *host_cpu)
{
	char cpu[256], both[400], date[32];
	struct utsname u;
	time_t t = time(NULL);

	uname(&u);
	guest_cpu(cpu, sizeof(cpu));
	snprintf(both, sizeof(both), "%s (host); %s (guest)", host_cpu, cpu);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%MZ", gmtime(&t));
	result_context(u.release, both, accel, date);
}

/* Scale holds one fd per buffer: allow as many as the kernel does. */
static long raise_fd_limit(void)
{
	struct rlimit rl = { .rlim_cur = 1048576, .rlim_max = 1048576 };
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");
	long n;

	if (f && fscanf(f, "%ld", &n) == 1)
		rl.rlim_cur = rl.rlim_max = (rlim_t)n;
	if (f)
		fclose(f);
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	return (long)rl.rlim_cur;
}

/*
 * The scale test stops at the exporter's total_limit (a quarter of RAM by
 * default) for every provider, plus one buffer so that a provider enforcing
 * exactly that limit shows its failure.
 */
static long scale_cap(size_t size, long fds)
{
	uint64_t budget = exporter_total_limit();
	struct sysinfo si;
	long cap;

	if (!budget && !sysinfo(&si))
		budget = (uint64_t)si.totalram * si.mem_unit / 4;
	cap = (long)(budget / size) + 1;
	return cap < fds - 64 ? cap : fds - 64;
}

static void run_size(const struct bench_opts *base, size_t size)
{
	struct bench_opts o = *base;

	/*
	 * Small buffers: more repeats, each is cheap and easily disturbed;
	 * big ones: fewer, each one takes long enough.
	 */
	if (size < MIB)
		o.reps *= 2;
	if (size >= 64 * MIB) {
		o.reps = o.reps / 5 > 3 ? o.reps / 5 : 3;
		o.handoff_reps = o.handoff_reps > 10 ? 10 : o.handoff_reps;
	}
	if (wanted("frame")) {
		progress("frame loop: %zu KiB, %d rounds x %d", size / KIB,
			 o.rounds, o.frames);
		measure_frame(&o, size);
		progress("frame loop CPU time: %zu KiB, %d rounds x %d ms",
			 size / KIB, o.rounds, o.cpu_ms);
		measure_frame_cpu(&o, size);
	}
	if (wanted("steps")) {
		progress("frame loop by step: %zu KiB, %d rounds x %d",
			 size / KIB, o.rounds, o.frames);
		measure_steps(&o, size);
	}
	if (wanted("cycle")) {
		progress("cycle: %zu KiB x %d", size / KIB, o.reps);
		measure_cycle(&o, size);
	}
	if (wanted("remap")) {
		progress("remap: %zu KiB x %d", size / KIB, o.reps);
		measure_remap(&o, size);
	}
	if (wanted("bandwidth")) {
		progress("bandwidth: %zu KiB x %d", size / KIB, o.bw_reps);
		measure_bandwidth(&o, size);
	}
	if (wanted("handoff")) {
		progress("hand-off: %zu KiB x %d", size / KIB, o.handoff_reps);
		measure_handoff(&o, size);
	}
	if (wanted("fanout")) {
		progress("fan-out: %zu KiB x %d, %d processes", size / KIB,
			 o.fanout_reps, o.fanout_procs);
		measure_fanout(&o, size);
	}
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .rounds = 7,
				.frames = 20,
				.cpu_ms = 1000,
				.reps = 100,
				.handoff_reps = 40,
				.bw_reps = 11,
				.fanout_reps = 3,
				.fanout_procs = 64,
				.bw_bytes = 32 * MIB,
				.scale_size = 4 * KIB };
	const char *accel = "unknown", *host_cpu = "unknown", *tag = NULL;
	const char *selected = NULL;
	long cap = 10200;
	int i, quick = 0;
	long fds;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "--quick")) {
			quick = 1;
			continue;
		}
		if (!strcmp(a, "--accel"))
			accel = v;
		else if (!strcmp(a, "--host-cpu"))
			host_cpu = v;
		else if (!strcmp(a, "--reps"))
			o.reps = atoi(v);
		else if (!strcmp(a, "--rounds"))
			o.rounds = atoi(v);
		else if (!strcmp(a, "--frames"))
			o.frames = atoi(v);
		else if (!strcmp(a, "--cpu-ms"))
			o.cpu_ms = atoi(v);
		else if (!strcmp(a, "--scale-cap"))
			cap = atol(v);
		else if (!strcmp(a, "--providers"))
			selected = v;
		else if (!strcmp(a, "--tag"))
			tag = v;
		else if (!strcmp(a, "--bw-reps"))
			o.bw_reps = atoi(v);
		else if (!strcmp(a, "--fanout-reps"))
			o.fanout_reps = atoi(v);
		else if (!strcmp(a, "--procs"))
			o.fanout_procs = atoi(v);
		else if (!strcmp(a, "--sizes"))
			parse_sizes(v);
		else if (!strcmp(a, "--only"))
			only = v;
		else {
			fprintf(stderr, "dmabuf-bench: unknown argument %s\n",
				a);
			return 2;
		}
		i++;
	}
	if (quick) {
		o.reps = 10;
		o.handoff_reps = 5;
		o.rounds = 2;
		o.frames = 5;
		o.cpu_ms = 200;
		o.bw_reps = 5;
		o.fanout_reps = 2;
	}
	if (o.reps < 1 || o.handoff_reps < 1 || o.rounds < 1 || o.frames < 1 ||
	    o.cpu_ms < 1 || o.bw_reps < 1 || o.fanout_reps < 1 ||
	    o.fanout_procs < 1) {
		fprintf(stderr,
			"dmabuf-bench: repeats and processes must be positive\n");
		return 2;
	}
	set_context(accel, host_cpu);
	fds = raise_fd_limit();
	providers_init();
	if (selected)
		providers_select(selected);
	if (tag)
		providers_tag(tag);
	for (i = 0; i < nr_providers; i++)
		if (providers[i].why[0])
			progress("%s: unavailable: %s", providers[i].name,
				 providers[i].why);
	for (i = 0; i < nr_sizes; i++)
		run_size(&o, sizes[i]);
	o.scale_cap = scale_cap(o.scale_size, fds);
	if (cap > 0 && o.scale_cap > cap)
		o.scale_cap = cap;
	if (wanted("scale"))
		measure_scale(&o);
	progress("done");
	return 0;
}
