// SPDX-License-Identifier: GPL-2.0
/* mmscope mmid: large-folio MM-ID owner tracking. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "mmscope.h"
#include "hist.h"
#include "mmid.h"

static void mmid_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope mmid [-j] PID [START-END]\n"
		"       mmscope mmid [-j] census\n"
		"       mmscope mmid [-j] audit\n"
		"       mmscope mmid pfn PFN\n"
		"       mmscope mmid [-T] [-j] trace [interval] [count]\n"
		"\n"
		"Large folios remember up to two MM IDs with a mapcount each, plus a\n"
		"\"maybe mapped shared\" bit (CONFIG_MM_ID).  These views show that state.\n"
		"\n"
		"  PID [START-END]  the large folios mapped in PID's address range (hex\n"
		"                   addresses; default all), their slots and owning tasks;\n"
		"                   small folios summed up.  Uses /proc/PID/pagemap.\n"
		"  census           one pass over all memory: large folios per order by\n"
		"                   state (exclusive, shared by the two slot MMs, untracked\n"
		"                   MMs involved, unmapped), mapcount histograms\n"
		"  audit            for every mapped large folio, the MMs that really map it\n"
		"                   (from every process's page tables) against the kernel's\n"
		"                   folio_maybe_mapped_shared(): false positives per order\n"
		"  pfn PFN          the module's raw answer for one PFN\n"
		"  trace            live histograms of pages per rmap operation (PTE\n"
		"                   batching), the large mapcount after it, and shared-bit\n"
		"                   set/clear rates: from the patch series' rmap:folio_mm_id\n"
		"                   tracepoint, else fentry on folio_*_rmap_ptes (no fork)\n"
		"\n"
		"  -j, --json   JSON output (JSON Lines for trace)\n"
		"  -T           trace: a timestamp before each report\n"
		"  -h, --help   this help\n"
		"\n"
		"Needs root and the mmscope module.\n"
		"\n"
		"examples:\n"
		"  mmscope mmid census\n"
		"  mmscope mmid 1234 7f0000000000-7f0000400000\n"
		"  mmscope mmid -j audit\n"
		"  mmscope mmid trace 5 3     three 5-second reports\n");
}

static int read_census(struct mmid_census *c)
{
	static char buf[65536];
	int n = read_file(MMID_DIR "/census", buf, sizeof(buf));

	if (n < 0) {
		errmsg("reading %s: %s", MMID_DIR "/census", strerror(-n));
		return EXIT_FAIL;
	}
	if (mmid_parse_census(buf, c)) {
		errmsg("cannot parse %s: module and CLI versions differ?", MMID_DIR "/census");
		return EXIT_FAIL;
	}
	return 0;
}

static const char *const hist_names[3] = {
	"large_mapcount", "slot0_mapcount", "slot1_mapcount",
};

static int census_run(bool json)
{
	struct mmid_census c;
	int order, st, i, err = read_census(&c);

	if (err)
		return err;
	if (json) {
		struct json_object *o = json_object_new_object();
		struct json_object *orders = json_object_new_object();

		json_object_object_add(o, "pfns_scanned", json_object_new_uint64(c.pfns));
		json_object_object_add(o, "scan_ns", json_object_new_uint64(c.ns));
		json_object_object_add(o, "pfns_per_sec", json_object_new_uint64(c.pfns_per_sec));
		json_object_object_add(o, "large_folios", json_object_new_uint64(c.large));
		json_object_object_add(o, "anon", json_object_new_uint64(c.anon));
		json_object_object_add(o, "file", json_object_new_uint64(c.file));
		json_object_object_add(o, "shared_bit", json_object_new_uint64(c.shared_bit));
		json_object_object_add(o, "maybe_shared", json_object_new_uint64(c.maybe_shared));
		json_object_object_add(o, "hugetlb", json_object_new_uint64(c.hugetlb));
		json_object_object_add(o, "kernel_compound", json_object_new_uint64(c.kernel));
		json_object_object_add(o, "busy", json_object_new_uint64(c.busy));
		for (order = 0; order < MMID_ORDERS; order++) {
			struct json_object *row = json_object_new_object();
			unsigned long long sum = 0;
			char key[8];

			for (st = 0; st < MMID_NR_STATES; st++) {
				sum += c.state[order][st];
				json_object_object_add(row, mmid_state_names[st],
						       json_object_new_uint64(c.state[order][st]));
			}
			json_object_object_add(row, "shared_bit",
					       json_object_new_uint64(c.order_bit[order]));
			json_object_object_add(row, "maybe_shared",
					       json_object_new_uint64(c.order_maybe[order]));
			if (!sum) {
				json_object_put(row);
				continue;
			}
			snprintf(key, sizeof(key), "%d", order);
			json_object_object_add(orders, key, row);
		}
		json_object_object_add(o, "orders", orders);
		for (i = 0; i < 3; i++)
			json_object_object_add(o, hist_names[i],
					       hist_json_log2(c.hist[i], HIST_LOG2_SLOTS));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return EXIT_OK;
	}
	printf("scanned %llu PFNs in %.3f ms (%llu PFNs/s)\n", c.pfns, c.ns / 1e6, c.pfns_per_sec);
	printf("large folios: %llu (anon %llu, file %llu); shared bit set: %llu, "
	       "maybe mapped shared: %llu\n", c.large, c.anon, c.file, c.shared_bit,
	       c.maybe_shared);
	printf("skipped: hugetlb %llu, kernel compound pages %llu, changing under the scan %llu\n\n",
	       c.hugetlb, c.kernel, c.busy);
	printf("%5s %10s %10s %10s %10s %10s %12s\n", "ORDER", "EXCLUSIVE", "SHARED",
	       "UNTRACKED", "UNMAPPED", "SHARED_BIT", "MAYBE_SHARED");
	for (order = 0; order < MMID_ORDERS; order++) {
		unsigned long long sum = 0;

		for (st = 0; st < MMID_NR_STATES; st++)
			sum += c.state[order][st];
		if (!sum)
			continue;
		printf("%5d %10llu %10llu %10llu %10llu %10llu %12llu\n", order,
		       c.state[order][0], c.state[order][1], c.state[order][2],
		       c.state[order][3], c.order_bit[order], c.order_maybe[order]);
	}
	for (i = 0; i < 3; i++) {
		printf("\n");
		hist_print_log2(stdout, hist_names[i], c.hist[i], HIST_LOG2_SLOTS);
	}
	return EXIT_OK;
}

static int pfn_run(const char *arg)
{
	char buf[4096], *end;
	unsigned long pfn;
	int fd, err;

	errno = 0;
	pfn = strtoul(arg, &end, 0);
	if (errno || *end || end == arg || *arg == '-') {
		errmsg("'%s' is not a PFN (decimal or 0x hex)", arg);
		return EXIT_USAGE;
	}
	fd = mmid_open("pfn");
	if (fd < 0) {
		errmsg("cannot open %s/pfn: %s", MMID_DIR, strerror(errno));
		return EXIT_FAIL;
	}
	err = mmid_ask(fd, pfn, buf, sizeof(buf));
	close(fd);
	if (err) {
		errmsg("PFN %lu: %s%s", pfn, strerror(-err),
		       err == -ERANGE ? " (beyond the end of memory)" :
		       err == -ENODEV ? " (a hole or offline memory)" : "");
		return EXIT_FAIL;
	}
	fputs(buf, stdout);
	return EXIT_OK;
}

static int parse_range(const char *s, unsigned long *start, unsigned long *end)
{
	char *p;

	errno = 0;
	*start = strtoul(s, &p, 16);
	if (errno || p == s || *p != '-')
		return -1;
	s = p + 1;
	*end = strtoul(s, &p, 16);
	if (errno || p == s || *p || *end <= *start)
		return -1;
	return 0;
}

static int mmid_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timestamp", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long start = 0, end = ~0UL;
	bool json = false, timestamp = false;
	char *endp;
	long pid;
	int c, err;

	while ((c = getopt_long(argc, argv, "+jTh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'T':
			timestamp = true;
			break;
		case 'h':
			mmid_usage(stdout);
			return EXIT_OK;
		default:
			mmid_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		mmid_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "trace"))
		return mmid_trace_run(argc, argv, optind + 1, json, timestamp);
	err = require_root("mmscope mmid");
	if (err)
		return err;
	err = require_module();
	if (err)
		return err;
	if (access(MMID_DIR, F_OK)) {
		errmsg("the module has no mmid/ files: this kernel lacks CONFIG_MM_ID");
		return EXIT_NOFEATURE;
	}
	if (!strcmp(argv[optind], "census") && optind + 1 == argc)
		return census_run(json);
	if (!strcmp(argv[optind], "audit") && optind + 1 == argc)
		return mmid_audit_run(json);
	if (!strcmp(argv[optind], "pfn") && optind + 2 == argc)
		return pfn_run(argv[optind + 1]);

	errno = 0;
	pid = strtol(argv[optind], &endp, 10);
	if (errno || *endp || pid <= 0 || pid > 4194304) {
		errmsg("'%s' is neither a command nor a pid; see 'mmscope mmid -h'",
		       argv[optind]);
		return EXIT_USAGE;
	}
	if (optind + 2 == argc && parse_range(argv[optind + 1], &start, &end)) {
		errmsg("'%s' is not an address range START-END (hex, START < END)",
		       argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (optind + 2 < argc) {
		mmid_usage(stderr);
		return EXIT_USAGE;
	}
	return mmid_proc_run(pid, start, end, json);
}

const struct mmscope_cmd cmd_mmid = {
	.name = "mmid",
	.summary = "large-folio MM-ID owners: per process, census, audit",
	.run = mmid_run,
	.usage = mmid_usage,
};
