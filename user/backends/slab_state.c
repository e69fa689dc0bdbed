// SPDX-License-Identifier: GPL-2.0
/*
 * The two backends of `mmscope slab`: the kmem_cache BPF iterator (any
 * 6.18+ kernel with BTF) and SLUB's own files (sysfs, and the sheaves file
 * the patch series adds to debugfs).  Both fill the same struct slab_state.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mmscope.h"
#include "probe.h"
#include "slab.h"
#include "slab.skel.h"

#define SLAB_STAT_NAME(item, name) #name,
const char *const slab_stat_names[SLAB_NR_STATS] = { SLAB_STAT_ITEMS(SLAB_STAT_NAME) };
#undef SLAB_STAT_NAME

int slab_stat_index(const char *name)
{
	int i;

	for (i = 0; i < SLAB_NR_STATS; i++)
		if (!strcmp(name, slab_stat_names[i]))
			return i;
	return -1;
}

/* The highest possible node + 1, from "0" or "0-3" or "0,2". */
unsigned int slab_possible_nodes(void)
{
	char buf[256], *p;
	unsigned long max = 0;

	if (read_file("/sys/devices/system/node/possible", buf, sizeof(buf)) <= 0)
		return 1;
	for (p = buf; *p;) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		if (v > max)
			max = v;
		p = end + (*end == ',' || *end == '-');
	}
	return max + 1 > SLAB_MAX_NODES ? SLAB_MAX_NODES : max + 1;
}

/*
 * /sys/kernel/slab has a directory per cache (merged caches' aliases are
 * symlinks).  A quarter more, and 64, for caches created while we trace.
 */
unsigned int slab_cache_map_entries(void)
{
	unsigned int n = 0;
	struct dirent *d;
	DIR *dir = opendir("/sys/kernel/slab");

	if (!dir)
		return 1024;
	while ((d = readdir(dir)))
		if (d->d_type == DT_DIR && d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n + n / 4 + 64;
}

static struct slab_cache_state *state_add(struct slab_state *st)
{
	struct slab_cache_state *c;

	c = realloc(st->caches, (st->nr + 1) * sizeof(*c));
	if (!c)
		return NULL;
	st->caches = c;
	c = &st->caches[st->nr++];
	memset(c, 0, sizeof(*c));
	return c;
}

void slab_state_free(struct slab_state *st)
{
	size_t i;

	for (i = 0; i < st->nr; i++) {
		free(st->caches[i].cpus);
		free(st->caches[i].nodes);
	}
	free(st->caches);
	st->caches = NULL;
	st->nr = 0;
}

static int cmp_name(const void *a, const void *b)
{
	const struct slab_cache_state *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Split the iterator's byte stream into cache groups. */
static int parse_records(struct slab_state *st, const char *buf, size_t len)
{
	struct slab_rec_cpu *cpus = NULL;
	struct slab_rec_node *nodes = NULL;
	unsigned int nc = 0, nn = 0;
	size_t off = 0;

	while (off + sizeof(unsigned int) <= len) {
		unsigned int type;

		memcpy(&type, buf + off, sizeof(type));
		if (type == SLAB_REC_CPU && off + sizeof(struct slab_rec_cpu) <= len) {
			cpus = realloc(cpus, (nc + 1) * sizeof(*cpus));
			if (!cpus)
				return -ENOMEM;
			memcpy(&cpus[nc++], buf + off, sizeof(*cpus));
			off += sizeof(*cpus);
		} else if (type == SLAB_REC_NODE && off + sizeof(struct slab_rec_node) <= len) {
			nodes = realloc(nodes, (nn + 1) * sizeof(*nodes));
			if (!nodes)
				return -ENOMEM;
			memcpy(&nodes[nn++], buf + off, sizeof(*nodes));
			off += sizeof(*nodes);
		} else if (type == SLAB_REC_CACHE && off + sizeof(struct slab_rec_cache) <= len) {
			struct slab_rec_cache rc;
			struct slab_cache_state *c = state_add(st);

			if (!c)
				return -ENOMEM;
			memcpy(&rc, buf + off, sizeof(rc));
			off += sizeof(rc);
			memcpy(c->name, rc.name, sizeof(c->name));
			c->name[sizeof(c->name) - 1] = '\0';
			c->id = rc.id;
			c->object_size = rc.object_size;
			c->sheaf_capacity = rc.sheaf_capacity;
			c->has_stats = rc.has_stats;
			c->stats_mask = rc.stats_mask;
			memcpy(c->stats, rc.stats, sizeof(c->stats));
			c->cpus = cpus;
			c->nr_cpus = nc;
			c->nodes = nodes;
			c->nr_nodes = nn;
			cpus = NULL;
			nodes = NULL;
			nc = nn = 0;
		} else {
			free(cpus);
			free(nodes);
			return -EPROTO;
		}
	}
	free(cpus);
	free(nodes);
	return 0;
}

/* Kept loaded between reads once slab_state_keep_bpf() was called. */
static struct slab_bpf *kept_skel;
static bool keep_skel;

void slab_state_keep_bpf(void)
{
	keep_skel = true;
}

static struct slab_bpf *skel_load(int *err)
{
	struct slab_bpf *skel;
	int ncpu;

	if (kept_skel)
		return kept_skel;
	bpf_quiet_libbpf();
	skel = slab_bpf__open();
	if (!skel) {
		*err = -errno;
		return NULL;
	}
	ncpu = libbpf_num_possible_cpus();
	skel->rodata->nr_cpus = ncpu > 0 ? ncpu : 1;
	skel->rodata->nr_nodes = slab_possible_nodes();
	*err = slab_bpf__load(skel);
	if (*err) {
		slab_bpf__destroy(skel);
		return NULL;
	}
	if (keep_skel)
		kept_skel = skel;
	return skel;
}

/* The whole output of one run of the iterator. */
static int iter_read(int fd, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	ssize_t n;

	for (;;) {
		if (cap - len < 65536) {
			char *p = realloc(buf, cap + 262144);

			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap += 262144;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			free(buf);
			return -errno;
		}
		if (n == 0)
			break;
		len += n;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

int slab_state_bpf(struct slab_state *st)
{
	struct bpf_link *link = NULL;
	struct slab_bpf *skel;
	size_t len = 0;
	char *buf = NULL;
	int fd = -1, err = 0;

	st->backend = "bpf";
	skel = skel_load(&err);
	if (!skel)
		return err;
	link = bpf_program__attach_iter(skel->progs.slab_state, NULL);
	if (!link) {
		err = -errno;
		goto out;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = iter_read(fd, &buf, &len);
	if (!err)
		err = parse_records(st, buf, len);
	if (!err)
		qsort(st->caches, st->nr, sizeof(*st->caches), cmp_name);
out:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	if (skel != kept_skel)
		slab_bpf__destroy(skel);
	free(buf);
	return err;
}

/* The first number of /sys/kernel/slab/<cache>/<file> ("sum C0=n ..." for stats). */
static int read_number(const char *sysfs, const char *cache, const char *file,
		       unsigned long long *v)
{
	char path[512], buf[64], *end;

	snprintf(path, sizeof(path), "%s/%s/%s", sysfs, cache, file);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	*v = strtoull(buf, &end, 10);
	return end == buf ? -1 : 0;
}

/* "-" is a sheaf the CPU does not have: size and capacity 0. */
static bool sheaf_field(const char *tok, unsigned int cap, unsigned int *size,
			unsigned int *capacity)
{
	char *end;

	if (!strcmp(tok, "-")) {
		*size = 0;
		*capacity = 0;
		return true;
	}
	*size = strtoul(tok, &end, 10);
	*capacity = cap;
	return end != tok && !*end;
}

/*
 * SLUB's debugfs file (patch series): "# cpu main spare rcu_free" rows, then
 * "# node full empty" rows.
 */
static int read_sheaves(const char *path, struct slab_cache_state *c)
{
	enum { NONE, CPUS, NODES } section = NONE;
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char main[24], spare[24], rcu[24];
		struct slab_rec_cpu r = { .type = SLAB_REC_CPU };
		struct slab_rec_node n = { .type = SLAB_REC_NODE };
		void *p;

		if (!strncmp(line, "# cpu ", 6)) {
			section = CPUS;
		} else if (!strncmp(line, "# node ", 7)) {
			section = NODES;
		} else if (section == CPUS &&
			   sscanf(line, "%u %23s %23s %23s", &r.cpu, main, spare, rcu) == 4 &&
			   sheaf_field(main, c->sheaf_capacity, &r.main_size, &r.main_capacity) &&
			   sheaf_field(spare, c->sheaf_capacity, &r.spare_size, &r.spare_capacity) &&
			   sheaf_field(rcu, c->sheaf_capacity, &r.rcu_free_size,
				       &r.rcu_free_capacity)) {
			p = realloc(c->cpus, (c->nr_cpus + 1) * sizeof(r));
			if (!p)
				break;
			c->cpus = p;
			c->cpus[c->nr_cpus++] = r;
		} else if (section == NODES &&
			   sscanf(line, "%u %u %u", &n.node, &n.nr_full, &n.nr_empty) == 3) {
			p = realloc(c->nodes, (c->nr_nodes + 1) * sizeof(n));
			if (!p)
				break;
			c->nodes = p;
			c->nodes[c->nr_nodes++] = n;
		}
	}
	fclose(f);
	return 0;
}

/*
 * SLUB's own files: /sys/kernel/slab/<cache>/ for the static attributes and
 * the SLUB_STATS counters, /sys/kernel/debug/slab/<cache>/sheaves (patch
 * series) for the sheaves and barns.  Aliases of merged caches are
 * symlinks in sysfs and are left out, as the iterator leaves them out.
 */
int slab_state_kernel_dirs(const char *sysfs, const char *debugfs, struct slab_state *st)
{
	struct dirent *d;
	DIR *dir;

	st->backend = "kernel";
	dir = opendir(sysfs);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		struct slab_cache_state *c;
		unsigned long long v;
		char path[512];
		int i;

		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		c = state_add(st);
		if (!c) {
			closedir(dir);
			return -ENOMEM;
		}
		/* Truncated as the iterator truncates. */
		strncpy(c->name, d->d_name, sizeof(c->name) - 1);
		c->name[sizeof(c->name) - 1] = '\0';
		if (!read_number(sysfs, d->d_name, "object_size", &v))
			c->object_size = v;
		if (!read_number(sysfs, d->d_name, "sheaf_capacity", &v))
			c->sheaf_capacity = v;
		for (i = 0; i < SLAB_NR_STATS; i++) {
			if (read_number(sysfs, d->d_name, slab_stat_names[i], &v))
				continue;
			c->has_stats = true;
			c->stats_mask |= 1u << i;
			c->stats[i] = v;
		}
		snprintf(path, sizeof(path), "%s/%s/sheaves", debugfs, d->d_name);
		if (c->sheaf_capacity)
			read_sheaves(path, c);
	}
	closedir(dir);
	qsort(st->caches, st->nr, sizeof(*st->caches), cmp_name);
	return 0;
}

int slab_state_kernel(struct slab_state *st)
{
	return slab_state_kernel_dirs("/sys/kernel/slab", SLAB_SLUB_DEBUGFS, st);
}

/* The series' debugfs file, for some cache that has sheaves. */
static bool kernel_has_sheaves_file(void)
{
	struct dirent *d;
	bool found = false;
	DIR *dir;

	if (!debugfs_ready())
		return false;
	dir = opendir(SLAB_SLUB_DEBUGFS);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		char path[512];

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SLAB_SLUB_DEBUGFS "/%s/sheaves", d->d_name);
		found = access(path, R_OK) == 0;
	}
	closedir(dir);
	return found;
}

int slab_state_read(enum slab_backend want, struct slab_state *st)
{
	int err;

	if (want == SLAB_BACKEND_KERNEL ||
	    (want == SLAB_BACKEND_AUTO && kernel_has_sheaves_file())) {
		if (want == SLAB_BACKEND_KERNEL && !kernel_has_sheaves_file()) {
			errmsg("no %s/<cache>/sheaves: this kernel lacks the patch series' "
			       "SLUB debugfs file (patches/: mm/slub: show sheaf and barn occupancy "
			       "in debugfs), or debugfs is not mounted; use --backend bpf", SLAB_SLUB_DEBUGFS);
			return -ENODEV;
		}
		verbose("slab state: SLUB's files in /sys/kernel/slab and %s", SLAB_SLUB_DEBUGFS);
		err = slab_state_kernel(st);
		if (err)
			errmsg("cannot read /sys/kernel/slab: %s", strerror(-err));
		return err;
	}
	verbose("slab state: BPF iter/kmem_cache with CO-RE reads");
	err = slab_state_bpf(st);
	if (err)
		errmsg("the kmem_cache iterator failed: %s (needs CONFIG_DEBUG_INFO_BTF and "
		       "CONFIG_BPF_SYSCALL on a 6.18+ kernel; -v shows libbpf's messages)",
		       strerror(-err));
	return err;
}
