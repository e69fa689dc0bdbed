// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope export's mTHP, DAMON and MM-ID families, the source status and
 * the info metric; the slab families are in export_slab.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "damon_fs.h"
#include "export.h"
#include "mmid.h"
#include "mmscope.h"
#include "mthp.h"

static void set_reason(struct export_status *st, enum export_source src, const char *why)
{
	snprintf(st->reason[src], sizeof(st->reason[src]), "%s", why);
}

/* Every stats file, one family each: nr_* are gauges (folios), the rest counters. */
int export_mthp(struct prom *p, struct export_status *st)
{
	struct mthp_stat *s;
	char name[80], help[200];
	size_t nr, i;
	int err;

	err = mthp_read(MTHP_SYSFS, &s, &nr);
	if (err) {
		set_reason(st, SRC_MTHP, access(MTHP_SYSFS, F_OK) ? "no THP (CONFIG_TRANSPARENT_HUGEPAGE)" :
			   err == -ENOENT ? "no hugepages-*/stats (mTHP statistics are 6.9+)" :
			   strerror(-err));
		return -1;
	}
	for (i = 0; i < nr; i++) {
		bool gauge = !strncmp(s[i].name, "nr_", 3);

		if (!i || strcmp(s[i].name, s[i - 1].name)) {
			if (gauge)
				snprintf(name, sizeof(name), "mthp_%s_folios", s[i].name + 3);
			else
				snprintf(name, sizeof(name), "mthp_%s", s[i].name);
			snprintf(help, sizeof(help), "mTHP statistic %s per folio size "
				 "(transparent_hugepage/hugepages-<size>/stats/%s)", s[i].name, s[i].name);
			prom_family(p, name, gauge ? PROM_GAUGE : PROM_COUNTER, help);
		}
		prom_sample_u64(p, "", s[i].value, "size", s[i].size, NULL);
	}
	free(s);
	return 0;
}

struct damon_row {
	char kd[12], ctx[12];
	struct damon_ctx_state s;
	double ratio;		/* observed access ratio (module ring), or -1 */
};

/* The fields of struct damon_ctx_state as families. */
static const struct {
	const char *name, *help;
	size_t off;
	double scale;		/* us -> s, bp -> ratio, or 1 */
	bool goal;
} damon_fams[] = {
	{ "damon_sample_interval_seconds", "DAMON's sampling interval (intervals/sample_us)",
	  offsetof(struct damon_ctx_state, sample_us), 1e-6, false },
	{ "damon_aggregation_interval_seconds", "DAMON's aggregation interval (intervals/aggr_us)",
	  offsetof(struct damon_ctx_state, aggr_us), 1e-6, false },
	{ "damon_update_interval_seconds", "DAMON's operations update interval (intervals/update_us)",
	  offsetof(struct damon_ctx_state, update_us), 1e-6, false },
	{ "damon_goal_access_ratio", "Intervals tuning goal: observed/possible access samples "
	  "(intervals_goal/access_bp / 10000; 0: tuning off)",
	  offsetof(struct damon_ctx_state, goal_access_bp), 1e-4, true },
	{ "damon_goal_aggregations", "Intervals tuning goal: aggregations per tuning step",
	  offsetof(struct damon_ctx_state, goal_aggrs), 1, true },
	{ "damon_goal_min_sample_interval_seconds", "Intervals tuning goal: lowest sampling interval",
	  offsetof(struct damon_ctx_state, goal_min_sample_us), 1e-6, true },
	{ "damon_goal_max_sample_interval_seconds", "Intervals tuning goal: highest sampling interval",
	  offsetof(struct damon_ctx_state, goal_max_sample_us), 1e-6, true },
};

/*
 * The module's ring (damon/recent, when enabled): the last aggregation of
 * the kdamond with this pid, its targets weighted by size.
 */
static double ring_ratio(const char *ring, unsigned long pid)
{
	unsigned long long ts, last = 0, sz, acc, wsum = 0, tsz = 0;
	unsigned int bp, regions, target;
	const char *l;
	bool in = false;

	for (l = ring; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		unsigned long p;

		if (sscanf(l, "kdamond pid %lu", &p) == 1) {
			in = p == pid;
			continue;
		}
		if (!in || sscanf(l, "aggr %llu ratio_bp %u sz %llu access_sz %llu regions %u target %u",
				  &ts, &bp, &sz, &acc, &regions, &target) != 6)
			continue;
		if (ts != last)
			wsum = tsz = 0;
		last = ts;
		wsum += (unsigned long long)bp * sz;
		tsz += sz;
	}
	return tsz ? wsum / 1e4 / tsz : -1;
}

static int damon_rows(struct damon_row **out, size_t *nr, struct export_status *st)
{
	static char ring[65536];
	int nk = damon_nr_kdamonds(), kd, ctx, nc;
	bool have_ring = read_file(MMSCOPE_DEBUGFS "/damon/recent", ring, sizeof(ring)) > 0;

	*out = NULL;
	*nr = 0;
	if (nk < 0)
		return -ENOENT;
	for (kd = 0; kd < nk; kd++) {
		nc = damon_nr_contexts(kd);
		for (ctx = 0; ctx < nc; ctx++) {
			struct damon_row *r = realloc(*out, (*nr + 1) * sizeof(*r));

			if (!r)
				return -ENOMEM;
			*out = r;
			r = &r[(*nr)++];
			snprintf(r->kd, sizeof(r->kd), "%d", kd);
			snprintf(r->ctx, sizeof(r->ctx), "%d", ctx);
			damon_read_ctx(kd, ctx, &r->s);
			r->ratio = have_ring && r->s.pid ? ring_ratio(ring, r->s.pid) : -1;
			st->damon_ratio |= r->ratio >= 0;
		}
	}
	return 0;
}

/* DAMON_STAT (mm/damon/stat.c), when that module runs. */
static void damon_stat(struct prom *p)
{
	static const char *const pcts[] = { "0", "25", "50", "75", "90", "99", "100" };
	char buf[4096], *tok, *save = NULL;
	unsigned long long bw;
	int i = 0;
	size_t k = 0;

	if (read_file("/sys/module/damon_stat/parameters/enabled", buf, sizeof(buf)) <= 0)
		return;
	prom_family(p, "damon_stat_enabled", PROM_GAUGE, "DAMON_STAT runs (damon_stat.enabled)");
	prom_sample(p, "", buf[0] == 'Y' || buf[0] == '1', NULL);
	if (read_file("/sys/module/damon_stat/parameters/estimated_memory_bandwidth", buf,
		      sizeof(buf)) > 0 && sscanf(buf, "%llu", &bw) == 1) {
		prom_family(p, "damon_stat_memory_bandwidth_bytes_per_second", PROM_GAUGE,
			    "DAMON_STAT's estimated memory bandwidth");
		prom_sample_u64(p, "", bw, NULL);
	}
	/* Its aggregation interval, which DAMON_STAT auto-tunes. */
	if (read_file("/sys/module/damon_stat/parameters/aggr_interval_us", buf, sizeof(buf)) > 0 &&
	    sscanf(buf, "%llu", &bw) == 1) {
		prom_family(p, "damon_stat_aggregation_interval_seconds", PROM_GAUGE,
			    "DAMON_STAT's current aggregation interval (aggr_interval_us)");
		prom_sample(p, "", bw / 1e6, NULL);
	}
	if (read_file("/sys/module/damon_stat/parameters/memory_idle_ms_percentiles", buf,
		      sizeof(buf)) <= 0)
		return;
	prom_family(p, "damon_stat_memory_idle_seconds", PROM_GAUGE,
		    "DAMON_STAT's idle time of memory, by percentile of the memory");
	for (tok = strtok_r(buf, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save), i++)
		if (k < sizeof(pcts) / sizeof(pcts[0]) && i == atoi(pcts[k]))
			prom_sample(p, "", atof(tok) / 1e3, "percentile", pcts[k++], NULL);
}

int export_damon(struct prom *p, struct export_status *st)
{
	struct damon_row *r;
	size_t nr, i, f;

	if (damon_rows(&r, &nr, st)) {
		free(r);
		set_reason(st, SRC_DAMON, "no DAMON sysfs interface (CONFIG_DAMON_SYSFS)");
		return -1;
	}
	prom_family(p, "damon_context_running", PROM_GAUGE,
		    "1 while the context's kdamond runs, with its operations set");
	for (i = 0; i < nr; i++)
		prom_sample(p, "", !strcmp(r[i].s.state, "on"), "kdamond", r[i].kd, "context",
			    r[i].ctx, "operations", r[i].s.operations, NULL);
	for (f = 0; f < sizeof(damon_fams) / sizeof(damon_fams[0]); f++) {
		prom_family(p, damon_fams[f].name, PROM_GAUGE, damon_fams[f].help);
		for (i = 0; i < nr; i++) {
			unsigned long v = *(unsigned long *)((char *)&r[i].s + damon_fams[f].off);

			if (!damon_fams[f].goal || r[i].s.has_goal)
				prom_sample(p, "", v * damon_fams[f].scale, "kdamond", r[i].kd,
					    "context", r[i].ctx, NULL);
		}
	}
	if (st->damon_ratio) {
		prom_family(p, "damon_observed_access_ratio", PROM_GAUGE,
			    "Access samples over possible ones in the last aggregation (mmscope.ko's ring)");
		for (i = 0; i < nr; i++)
			if (r[i].ratio >= 0)
				prom_sample(p, "", r[i].ratio, "kdamond", r[i].kd, "context", r[i].ctx,
					    NULL);
	}
	damon_stat(p);
	free(r);
	return 0;
}

/*
 * The census scans all memory: never more often than --census-interval,
 * whatever the scrape rate.  Between two, the last one is served again,
 * with its time in mmscope_mmid_census_timestamp_seconds.  The HTTP
 * server takes them in its main thread (export_census_refresh()), so that
 * no scrape waits for a scan; a one-shot or textfile export takes one
 * when the last is older than the interval.
 */
static struct {
	pthread_mutex_t lock;
	bool tried, refreshed;	/* refreshed: by export_census_refresh() */
	double at_mono, at_real;
	char reason[160];	/* why the last try failed, "" */
	struct mmid_census c;
} census_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double now_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One census into the cache; the scan runs outside the lock. */
static void census_take(void)
{
	static struct mmid_census c;
	double mono = now_clock(CLOCK_MONOTONIC), real = now_clock(CLOCK_REALTIME);
	const char *why = "";
	char version[32];

	if (!module_loaded(version, sizeof(version)))
		why = "module not loaded (insmod mmscope.ko)";
	else if (access(MMID_DIR "/census", R_OK))
		why = "no mmid/census: kernel without CONFIG_MM_ID, or no debugfs";
	else if (mmid_read_census(&c))
		why = "reading mmid/census failed";
	pthread_mutex_lock(&census_cache.lock);
	census_cache.tried = true;
	/* Not again before the interval, even when this one failed. */
	census_cache.at_mono = mono;
	if (!*why) {
		census_cache.at_real = real;
		census_cache.c = c;
	}
	snprintf(census_cache.reason, sizeof(census_cache.reason), "%s", why);
	pthread_mutex_unlock(&census_cache.lock);
}

void export_census_refresh(void)
{
	census_cache.refreshed = true;
	census_take();
}

/* The census to serve, into *c (and its time): 0, or -1 with the reason. */
static int census_get(const struct export_cfg *cfg, struct export_status *st,
		      struct mmid_census *c, double *at)
{
	bool due = !census_cache.tried ||
		   now_clock(CLOCK_MONOTONIC) - census_cache.at_mono >= cfg->census_interval;
	int ret = 0;

	if (due && !census_cache.refreshed)
		census_take();
	pthread_mutex_lock(&census_cache.lock);
	if (census_cache.reason[0]) {
		set_reason(st, SRC_MMID, census_cache.reason);
		ret = -1;
	} else {
		*c = census_cache.c;
		*at = census_cache.at_real;
	}
	pthread_mutex_unlock(&census_cache.lock);
	return ret;
}

static void census_totals(struct prom *p, const struct mmid_census *c, double at)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} t[] = {
		{ "mmid_large_folios", "Large folios the census saw", offsetof(struct mmid_census, large) },
		{ "mmid_shared_bit_folios", "Large folios with the MM-ID shared bit set",
		  offsetof(struct mmid_census, shared_bit) },
		{ "mmid_maybe_shared_folios", "Large folios folio_maybe_mapped_shared() judges shared",
		  offsetof(struct mmid_census, maybe_shared) },
		{ "mmid_hugetlb_folios", "Hugetlb folios (counted apart)",
		  offsetof(struct mmid_census, hugetlb) },
		{ "mmid_busy_folios", "Folios frozen or split while the census read them",
		  offsetof(struct mmid_census, busy) },
		{ "mmid_census_pfns", "PFNs the census scanned", offsetof(struct mmid_census, pfns) },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		prom_family(p, t[i].name, PROM_GAUGE, t[i].help);
		prom_sample_u64(p, "", *(const unsigned long long *)((const char *)c + t[i].off), NULL);
	}
	prom_family(p, "mmid_census_scan_seconds", PROM_GAUGE, "How long the last census took");
	prom_sample(p, "", c->ns / 1e9, NULL);
	prom_family(p, "mmid_census_timestamp_seconds", PROM_GAUGE,
		    "When the census served was taken (Unix time)");
	prom_sample(p, "", at, NULL);
}

int export_mmid(struct prom *p, const struct export_cfg *cfg, struct export_status *st)
{
	static struct mmid_census census;
	const struct mmid_census *c = &census;
	char order[8];
	double at;
	int o, s;

	if (!cfg->census) {
		set_reason(st, SRC_MMID, "census off (--census)");
		return -1;
	}
	if (census_get(cfg, st, &census, &at))
		return -1;
	prom_family(p, "mmid_folios", PROM_GAUGE,
		    "Large folios by order and MM-ID state (exclusive, shared, untracked, unmapped)");
	for (o = 0; o < MMID_ORDERS; o++) {
		unsigned long long sum = 0;

		for (s = 0; s < MMID_NR_STATES; s++)
			sum += c->state[o][s];
		if (!sum)
			continue;
		snprintf(order, sizeof(order), "%d", o);
		for (s = 0; s < MMID_NR_STATES; s++)
			prom_sample_u64(p, "", c->state[o][s], "order", order, "state",
					mmid_state_names[s], NULL);
	}
	census_totals(p, c, at);
	return 0;
}

static void status_families(struct prom *p, const struct export_cfg *cfg,
			    const struct export_status *st)
{
	static const char *const names[NR_SRC] = { "slab", "mthp", "damon", "mmid" };
	struct utsname uts;
	int i;

	prom_family(p, "source_up", PROM_GAUGE,
		    "1 when the source's families are in this exposition; else 0, and why");
	for (i = 0; i < NR_SRC; i++)
		prom_sample(p, "", !st->reason[i][0], "source", names[i], "reason", st->reason[i],
			    NULL);
	if (uname(&uts))
		snprintf(uts.release, sizeof(uts.release), "unknown");
	prom_family(p, "info", PROM_GAUGE, "mmscope and the kernel it runs on, and what it uses");
	prom_sample(p, "", 1, "version", MMSCOPE_VERSION, "kernel", uts.release, "slab_backend",
		    st->slab_backend ? st->slab_backend : "none", "census",
		    cfg->census ? "on" : "off", "damon_ratio", st->damon_ratio ? "module" : "none",
		    NULL);
}

void export_write(const struct export_cfg *cfg, FILE *out, bool openmetrics)
{
	struct export_status st = { 0 };
	double t0 = now_clock(CLOCK_MONOTONIC);
	struct prom p;

	prom_begin(&p, out, openmetrics);
	export_slab(&p, cfg, &st);
	export_mthp(&p, &st);
	export_damon(&p, &st);
	export_mmid(&p, cfg, &st);
	status_families(&p, cfg, &st);
	prom_family(&p, "export_duration_seconds", PROM_GAUGE, "Time this exposition took to build");
	prom_sample(&p, "", now_clock(CLOCK_MONOTONIC) - t0, NULL);
	prom_end(&p);
}
