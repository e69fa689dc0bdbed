// SPDX-License-Identifier: GPL-2.0
/* mmscope mmid: large-folio MM-ID owner tracking. */
#include <errno.h>
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "jsonl.h"
#include "mmscope.h"
#include "hist.h"
#include "mmid.h"
#include "render.h"
#include "commands.h"

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

static struct json_object *census_json(const struct mmid_census *c)
{
	struct json_object *o = record_new("mmid_census", NULL);
	struct json_object *orders = json_object_new_object();
	int order, st, i;

	json_object_object_add(o, "pfns_scanned", json_object_new_uint64(c->pfns));
	json_object_object_add(o, "scan_ns", json_object_new_uint64(c->ns));
	json_object_object_add(o, "pfns_per_sec", json_object_new_uint64(c->pfns_per_sec));
	json_object_object_add(o, "large_folios", json_object_new_uint64(c->large));
	json_object_object_add(o, "anon", json_object_new_uint64(c->anon));
	json_object_object_add(o, "file", json_object_new_uint64(c->file));
	json_object_object_add(o, "shared_bit", json_object_new_uint64(c->shared_bit));
	json_object_object_add(o, "maybe_shared", json_object_new_uint64(c->maybe_shared));
	json_object_object_add(o, "hugetlb", json_object_new_uint64(c->hugetlb));
	json_object_object_add(o, "kernel_compound", json_object_new_uint64(c->kernel));
	json_object_object_add(o, "busy", json_object_new_uint64(c->busy));
	for (order = 0; order < MMID_ORDERS; order++) {
		struct json_object *row = json_object_new_object();
		unsigned long long sum = 0;
		char key[8];

		for (st = 0; st < MMID_NR_STATES; st++) {
			sum += c->state[order][st];
			json_object_object_add(row, mmid_state_names[st],
					       json_object_new_uint64(c->state[order][st]));
		}
		json_object_object_add(row, "shared_bit", json_object_new_uint64(c->order_bit[order]));
		json_object_object_add(row, "maybe_shared",
				       json_object_new_uint64(c->order_maybe[order]));
		if (!sum) {
			json_object_put(row);
			continue;
		}
		snprintf(key, sizeof(key), "%d", order);
		json_object_object_add(orders, key, row);
	}
	json_object_object_add(o, "orders", orders);
	for (i = 0; i < 3; i++)
		json_object_object_add(o, hist_names[i], hist_json_log2(c->hist[i], HIST_LOG2_SLOTS));
	return o;
}

static unsigned long long u64_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

/* The census text from its record: live, and in `mmscope report`. */
void mmid_census_render(FILE *out, struct json_object *o)
{
	struct json_object *orders, *hist;
	unsigned long long slots[HIST_LOG2_SLOTS];
	char title[64];
	size_t i, j;

	fprintf(out, "scanned %llu PFNs in %.3f ms (%llu PFNs/s)\n", u64_of(o, "pfns_scanned"),
		u64_of(o, "scan_ns") / 1e6, u64_of(o, "pfns_per_sec"));
	fprintf(out, "large folios: %llu (anon %llu, file %llu); shared bit set: %llu, "
		"maybe mapped shared: %llu\n", u64_of(o, "large_folios"), u64_of(o, "anon"),
		u64_of(o, "file"), u64_of(o, "shared_bit"), u64_of(o, "maybe_shared"));
	fprintf(out, "skipped: hugetlb %llu, kernel compound pages %llu, changing under the scan %llu\n\n",
		u64_of(o, "hugetlb"), u64_of(o, "kernel_compound"), u64_of(o, "busy"));
	fprintf(out, "%5s %10s %10s %10s %10s %10s %12s\n", "ORDER", "EXCLUSIVE", "SHARED",
		"UNTRACKED", "UNMAPPED", "SHARED_BIT", "MAYBE_SHARED");
	if (json_object_object_get_ex(o, "orders", &orders)) {
		json_object_object_foreach(orders, order, row)
			fprintf(out, "%5s %10llu %10llu %10llu %10llu %10llu %12llu\n", order,
				u64_of(row, mmid_state_names[0]), u64_of(row, mmid_state_names[1]),
				u64_of(row, mmid_state_names[2]), u64_of(row, mmid_state_names[3]),
				u64_of(row, "shared_bit"), u64_of(row, "maybe_shared"));
	}
	for (i = 0; i < 3; i++) {
		memset(slots, 0, sizeof(slots));
		if (json_object_object_get_ex(o, hist_names[i], &hist))
			for (j = 0; j < json_object_array_length(hist); j++) {
				struct json_object *b = json_object_array_get_idx(hist, j);
				unsigned long long lo = u64_of(b, "min");
				unsigned int slot = lo ? 64 - __builtin_clzll(lo) : 0;

				if (slot < HIST_LOG2_SLOTS)
					slots[slot] = u64_of(b, "count");
			}
		snprintf(title, sizeof(title), "@%s", hist_names[i]);
		fputc('\n', out);
		hist_print_log2(out, title, slots, HIST_LOG2_SLOTS);
	}
}

/* The module, its mmid/ files: what every census, audit and pfn query needs. */
static int need_mmid(void)
{
	int err = require_root("mmscope mmid");

	if (!err)
		err = require_module();
	if (!err && access(MMID_DIR, F_OK)) {
		errmsg("the module has no mmid/ files: this kernel lacks CONFIG_MM_ID");
		err = EXIT_NOFEATURE;
	}
	return err;
}

static int do_mmid_census(const struct cmd *cmd, struct opts *o)
{
	struct json_object *rec;
	struct mmid_census c;
	int err;

	if (o->argc) {
		errmsg("census takes no arguments; see 'mmscope mmid census -h'");
		return EXIT_USAGE;
	}
	err = need_mmid();
	if (!err)
		err = read_census(&c);
	if (err)
		return err;
	rec = census_json(&c);
	if (o->set[OPT_JSON]) {
		jsonl_emit(rec);
	} else {
		mmid_census_render(stdout, rec);
		json_object_put(rec);
	}
	return EXIT_OK;
}

static int do_mmid_audit(const struct cmd *cmd, struct opts *o)
{
	int err;

	if (o->argc) {
		errmsg("audit takes no arguments; see 'mmscope mmid audit -h'");
		return EXIT_USAGE;
	}
	err = need_mmid();
	return err ? err : mmid_audit_run(o->set[OPT_JSON]);
}

static int do_mmid_pfn(const struct cmd *cmd, struct opts *o)
{
	const char *arg = o->argc == 1 ? o->argv[0] : NULL;
	char buf[4096], *end;
	unsigned long pfn;
	int fd, err;

	if (!arg) {
		errmsg("pfn takes one PFN (decimal or 0x hex); see 'mmscope mmid pfn -h'");
		return EXIT_USAGE;
	}
	errno = 0;
	pfn = strtoul(arg, &end, 0);
	if (errno || *end || end == arg || *arg == '-') {
		errmsg("'%s' is not a PFN (decimal or 0x hex)", arg);
		return EXIT_USAGE;
	}
	err = need_mmid();
	if (err)
		return err;
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

static int do_mmid(const struct cmd *cmd, struct opts *o)
{
	unsigned long start = 0, end = ~0UL;
	long long pid;
	int err;

	if (!o->argc || o->argc > 2) {
		cmd_help(cmd, "mmid", stderr);
		return EXIT_USAGE;
	}
	if (!isdigit((unsigned char)o->argv[0][0]) && o->argv[0][0] != '-') {
		errmsg("'%s' is neither a subcommand nor a pid; see 'mmscope mmid -h'", o->argv[0]);
		return EXIT_USAGE;
	}
	if (parse_num("PID", o->argv[0], 1, 4194304, &pid))
		return EXIT_USAGE;
	if (o->argc == 2 && parse_range(o->argv[1], &start, &end)) {
		errmsg("'%s' is not an address range START-END (hex, START < END)", o->argv[1]);
		return EXIT_USAGE;
	}
	if (kill(pid, 0) && errno == ESRCH) {
		errmsg("no process %lld", pid);
		return EXIT_USAGE;
	}
	err = need_mmid();
	return err ? err : mmid_proc_run(pid, start, end, o->set[OPT_JSON]);
}

static const struct cmd cmd_mmid_census = {
	.name = "census",
	.summary = "one pass over all memory: large folios per order by state",
	.args = "",
	.opts = "json",
	.doc = "Large folios per order by state (exclusive, shared by the two slot MMs,\n"
	       "untracked MMs involved, unmapped) and mapcount histograms, from the\n"
	       "module's mmid/census file.\n",
	.examples = "mmscope mmid census\nmmscope mmid census -j",
	.run = do_mmid_census,
};

static const struct cmd cmd_mmid_audit = {
	.name = "audit",
	.summary = "the kernel's \"maybe shared\" verdict against every page table",
	.args = "",
	.opts = "json",
	.doc = "For every mapped large folio, the MMs that really map it (from every\n"
	       "process's page tables) against folio_maybe_mapped_shared(): false\n"
	       "positives per order.\n",
	.examples = "mmscope mmid audit\nmmscope mmid audit -j",
	.run = do_mmid_audit,
};

static const struct cmd cmd_mmid_pfn = {
	.name = "pfn",
	.summary = "the module's raw answer for one PFN",
	.args = "PFN",
	.opts = "",
	.examples = "mmscope mmid pfn 0x2a00",
	.run = do_mmid_pfn,
};

static const struct cmd *const mmid_subs[] = {
	&cmd_mmid_census, &cmd_mmid_audit, &cmd_mmid_pfn, &cmd_mmid_trace, NULL,
};

const struct cmd cmd_mmid = {
	.name = "mmid",
	.summary = "large-folio MM-ID owners: per process, census, audit",
	.args = "PID [START-END]",
	.opts = "json",
	.doc = "Large folios remember up to two MM IDs with a mapcount each, plus a\n"
	       "\"maybe mapped shared\" bit (CONFIG_MM_ID).  'mmid PID' shows the large\n"
	       "folios mapped in PID's range (hex addresses; default all), their slots\n"
	       "and owning tasks, from /proc/PID/pagemap.  Needs root and the module.\n",
	.examples = "mmscope mmid census\n"
		    "mmscope mmid 1234 7f0000000000-7f0000400000\n"
		    "mmscope mmid audit -j\n"
		    "mmscope mmid trace 5 3     three 5-second reports",
	.run = do_mmid,
	.subs = mmid_subs,
};
