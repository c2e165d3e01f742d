// SPDX-License-Identifier: GPL-2.0
/*
 * Backup chain benchmark: what a command costs before it can be
 * acknowledged (one detector record rewritten in place and flushed; every
 * detector, as after "PRESET all"), what a periodic full snapshot costs,
 * and the start-up load from the primary, for 72, 1000 and 4212 detectors.
 * The files live in $TMPDIR (default /var/tmp), so the numbers are those
 * of that filesystem's fdatasync/fsync. Nothing passes or fails on a
 * number.
 *
 *   backup-bench [-n detectors]... (default: 72 1000 4212)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config/compile.h"
#include "daemon/config/database.h"
#include "daemon/persist/backup.h"
#include "daemon/shared/macro.h"
#include "tests/bench/bench-stats.h"

#define RUNS 51

static struct station *generate(unsigned n)
{
	_cleanup_free_ char *text = NULL;
	struct station *s = NULL;
	struct diagnostics d;
	char cmd[128];
	size_t size = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "python3 daemon/examples/generate-station -n %u", n);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	FILE *mem = open_memstream(&text, &size);
	char buf[65536];
	size_t got;

	while (mem && (got = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, got, mem);
	if (pclose(p) != 0 || !mem || fclose(mem) != 0)
		return NULL;
	diagnostics_init(&d);
	if (config_compile_text("bench.conf", text, size, &config_loader_no_includes, &d, &s) < 0)
		diagnostics_print(&d, stderr);
	diagnostics_done(&d);
	return s;
}

static void report(const char *what, unsigned n, double *t, size_t runs)
{
	bench_sort(t, runs);
	printf("%s, %u detectors: median %.3f ms, p99 %.3f ms (%zu runs)\n", what, n,
	       bench_median_sorted(t, runs), bench_p99_sorted(t, runs), runs);
}

static int bench_station(unsigned n, const char *tmp)
{
	_cleanup_station_ struct station *compiled = generate(n);
	_cleanup_station_ struct station *s = NULL;
	_cleanup_backup_ struct backup *b = NULL;
	_cleanup_free_ uint32_t *all = NULL;
	struct backup_report r;
	char dir[256], state[300], path[300], cmd[320];
	double t[RUNS];
	int ret = -1;

	if (!compiled) {
		fprintf(stderr, "backup-bench: cannot generate a %u-detector station\n", n);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/backup-bench.XXXXXX", tmp);
	if (!mkdtemp(dir))
		return -1;
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	if (mkdir(state, 0755) < 0 || database_write_file(path, compiled) < 0 ||
	    backup_open(state, path, &b) < 0 || backup_load(b, &s, &r) < 0)
		goto out;
	all = calloc(s->n_detectors, sizeof(*all));
	if (!all)
		goto out;
	for (uint32_t k = 0; k < s->n_detectors; k++)
		all[k] = k;

	for (int i = 0; i < RUNS; i++) {
		uint32_t k = (i * 7919u) % s->n_detectors;
		double t0;

		s->detectors[k].n_presets = 1;
		s->detectors[k].preset[0] = i;
		t0 = bench_now_ms();
		if (backup_primary_update(b, s, &k, 1, NULL, 0) < 0)
			goto out;
		t[i] = bench_now_ms() - t0;
	}
	report("primary update, 1 record + fdatasync", n, t, RUNS);

	for (int i = 0; i < 9; i++) {
		double t0 = bench_now_ms();

		if (backup_primary_update(b, s, all, s->n_detectors, NULL, 0) < 0)
			goto out;
		t[i] = bench_now_ms() - t0;
	}
	report("primary update, every detector + fdatasync", n, t, 9);

	for (int i = 0; i < 9; i++) {
		double t0 = bench_now_ms();

		if (backup_secondary_write(b, s) < 0)
			goto out;
		t[i] = bench_now_ms() - t0;
	}
	report("secondary snapshot (temp, fsync, rename, dir fsync)", n, t, 9);

	for (int i = 0; i < 9; i++) {
		_cleanup_backup_ struct backup *again = NULL;
		struct station *loaded = NULL;
		double t0 = bench_now_ms();

		if (backup_open(state, path, &again) < 0 || backup_load(again, &loaded, &r) < 0)
			goto out;
		t[i] = bench_now_ms() - t0;
		station_free(loaded);
		if (r.used != BACKUP_SOURCE_PRIMARY)
			goto out;
	}
	report("start-up load from the primary (compiled + primary validated)", n, t, 9);
	ret = 0;
out:
	if (ret < 0)
		fprintf(stderr, "backup-bench: %u detectors: failed\n", n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ret = -1;
	return ret;
}

int main(int argc, char **argv)
{
	unsigned sizes[8], n_sizes = 0;
	const char *tmp = getenv("TMPDIR");
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n' || n_sizes == 8) {
			fprintf(stderr, "usage: backup-bench [-n detectors]...\n");
			return 2;
		}
		sizes[n_sizes++] = strtoul(optarg, NULL, 10);
	}
	if (n_sizes == 0) {
		sizes[0] = 72;
		sizes[1] = 1000;
		sizes[2] = 4212;
		n_sizes = 3;
	}
	if (!tmp || !*tmp)
		tmp = "/var/tmp";
	for (unsigned i = 0; i < n_sizes; i++)
		if (bench_station(sizes[i], tmp) < 0)
			return 1;
	return 0;
}
