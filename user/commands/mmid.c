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
#include "interval.h"
#include "mmid_cmd.h"

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
		err = mmid_read_census(&c) ? EXIT_FAIL : 0;
	if (err)
		return err;
	rec = mmid_census_record(&c);
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
	struct interval_opts io = { .json = o->set[OPT_JSON], .timestamp = o->set[OPT_TIMESTAMP] };
	int err;

	if (opt_interval(o, 0, &io.interval, &io.count))
		return EXIT_USAGE;
	err = need_mmid();
	return err ? err : mmid_audit_run(&io);
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
	.args = "[interval [count]]",
	.opts = "timestamp json",
	.doc = "For every mapped large folio, the MMs that really map it (from every\n"
	       "process's page tables) against folio_maybe_mapped_shared(): false\n"
	       "positives per order, and the processes behind each.  Without an\n"
	       "interval, one audit now.  With one, an audit per interval, each with\n"
	       "the interval's CoW cost: pages of large anon folios that write faults\n"
	       "copied, and those that only a false shared bit kept from being reused\n"
	       "(the patch series' rmap:folio_mm_id, else fentry on\n"
	       "folio_remove_rmap_ptes; both with fentry on handle_mm_fault), and\n"
	       "which mapping set each false positive's bit, where the series' event\n"
	       "saw it.\n",
	.examples = "mmscope mmid audit\nmmscope mmid audit -j\n"
		    "mmscope mmid audit -j 5 12    an audit and its CoW cost every 5 s for a minute",
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
