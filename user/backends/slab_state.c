// SPDX-License-Identifier: GPL-2.0
/*
 * The two backends of `mmscope slab`: the kmem_cache BPF iterator (any
 * 6.18+ kernel with BTF) and the module's debugfs tables (a kernel with the
 * patch series' introspection API).  Both fill the same struct slab_state.
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

int slab_state_bpf(struct slab_state *st)
{
	struct bpf_link *link = NULL;
	struct slab_bpf *skel;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd = -1, err, ncpu;
	ssize_t n;

	st->backend = "bpf";
	bpf_quiet_libbpf();
	skel = slab_bpf__open();
	if (!skel)
		return -errno;
	ncpu = libbpf_num_possible_cpus();
	skel->rodata->nr_cpus = ncpu > 0 ? ncpu : 1;
	skel->rodata->nr_nodes = slab_possible_nodes();
	err = slab_bpf__load(skel);
	if (err)
		goto out;
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
	for (;;) {
		if (cap - len < 65536) {
			char *p = realloc(buf, cap + 262144);

			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			buf = p;
			cap += 262144;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += n;
	}
	err = parse_records(st, buf, len);
	if (!err)
		qsort(st->caches, st->nr, sizeof(*st->caches), cmp_name);
out:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	slab_bpf__destroy(skel);
	free(buf);
	return err;
}

static struct slab_cache_state *find(struct slab_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (!strcmp(st->caches[i].name, name))
			return &st->caches[i];
	return NULL;
}

static FILE *open_table(const char *dir, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return fopen(path, "re");
}

/*
 * The module's tables (module/slab.c), one row per line after a "#"
 * header: caches "name object_size sheaf_capacity", cpus "name cpu
 * main_size main_cap spare_size spare_cap rcu_size rcu_cap", barns "name
 * node full empty", stats "name stat value".
 */
int slab_state_module(struct slab_state *st)
{
	return slab_state_module_dir(SLAB_DEBUGFS, st);
}

int slab_state_module_dir(const char *dir, struct slab_state *st)
{
	char line[512], name[SLAB_NAME_LEN + 16], stat[64];
	struct slab_cache_state *c;
	unsigned long long v;
	FILE *f;

	st->backend = "module";
	f = open_table(dir, "caches");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned int obj, cap;

		if (line[0] == '#' || sscanf(line, "%63s %u %u", name, &obj, &cap) != 3)
			continue;
		c = state_add(st);
		if (!c) {
			fclose(f);
			return -ENOMEM;
		}
		name[SLAB_NAME_LEN - 1] = '\0';	/* as the iterator truncates */
		memcpy(c->name, name, SLAB_NAME_LEN);
		c->object_size = obj;
		c->sheaf_capacity = cap;
	}
	fclose(f);

	f = open_table(dir, "sheaves");
	while (f && fgets(line, sizeof(line), f)) {
		struct slab_rec_cpu r = { .type = SLAB_REC_CPU };

		if (line[0] == '#' || sscanf(line, "%63s %u %u %u %u %u %u %u", name, &r.cpu,
					     &r.main_size, &r.main_capacity, &r.spare_size,
					     &r.spare_capacity, &r.rcu_free_size,
					     &r.rcu_free_capacity) != 8)
			continue;
		name[SLAB_NAME_LEN - 1] = '\0';
		c = find(st, name);
		if (!c || !(c->cpus = realloc(c->cpus, (c->nr_cpus + 1) * sizeof(r))))
			continue;
		c->cpus[c->nr_cpus++] = r;
	}
	if (f)
		fclose(f);

	f = open_table(dir, "barns");
	while (f && fgets(line, sizeof(line), f)) {
		struct slab_rec_node r = { .type = SLAB_REC_NODE };

		if (line[0] == '#' ||
		    sscanf(line, "%63s %u %u %u", name, &r.node, &r.nr_full, &r.nr_empty) != 4)
			continue;
		name[SLAB_NAME_LEN - 1] = '\0';
		c = find(st, name);
		if (!c || !(c->nodes = realloc(c->nodes, (c->nr_nodes + 1) * sizeof(r))))
			continue;
		c->nodes[c->nr_nodes++] = r;
	}
	if (f)
		fclose(f);

	f = open_table(dir, "stats");
	while (f && fgets(line, sizeof(line), f)) {
		int i;

		if (line[0] == '#' || sscanf(line, "%63s %63s %llu", name, stat, &v) != 3)
			continue;
		name[SLAB_NAME_LEN - 1] = '\0';
		c = find(st, name);
		i = slab_stat_index(stat);
		if (!c || i < 0)
			continue;
		c->has_stats = true;
		c->stats_mask |= 1u << i;
		c->stats[i] = v;
	}
	if (f)
		fclose(f);
	qsort(st->caches, st->nr, sizeof(*st->caches), cmp_name);
	return 0;
}

static bool module_has_table(void)
{
	return access(SLAB_DEBUGFS "/caches", R_OK) == 0;
}

int slab_state_read(enum slab_backend want, struct slab_state *st)
{
	int err;

	if (want == SLAB_BACKEND_MODULE || (want == SLAB_BACKEND_AUTO && module_has_table())) {
		if (want == SLAB_BACKEND_MODULE && !module_has_table()) {
			int r = require_module();

			if (r)
				return -ENODEV;
			errmsg("the module has no sheaf table: this kernel lacks the patch "
			       "series' slab introspection API (patches/); use --backend bpf");
			return -ENODEV;
		}
		verbose("slab state: module tables in %s", SLAB_DEBUGFS);
		err = slab_state_module(st);
		if (err)
			errmsg("cannot read %s: %s", SLAB_DEBUGFS, strerror(-err));
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
