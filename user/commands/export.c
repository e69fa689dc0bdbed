// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope export: the metrics of every source (export_slab.c,
 * export_metrics.c) for Prometheus, once to stdout, atomically into
 * node_exporter's textfile-collector directory (once or every interval),
 * or over HTTP (libmicrohttpd), building fresh metrics for each scrape.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <microhttpd.h>

#include "export.h"
#include "interval.h"
#include "mmscope.h"
#include "slab.h"

#define TEXTFILE_NAME "mmscope.prom"
/* Not *.prom: node_exporter reads only those, never a temporary file. */
#define TEXTFILE_TMP ".mmscope.prom.tmp."
#define TEXTFILE_LOCK ".mmscope.prom.lock"

/* The lock that keeps a second exporter off the directory; held until exit. */
static int textfile_lock(const char *dir)
{
	char path[4096], pid[32] = "";
	struct stat sb = { 0 };
	int fd;

	if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
		errmsg("--textfile %s: %s", dir, sb.st_mode ? "not a directory" : strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/" TEXTFILE_LOCK, dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		errmsg("--textfile %s: cannot create files there (%s: %s)", dir, path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (read(fd, pid, sizeof(pid) - 1) > 0)
			pid[strcspn(pid, "\n")] = '\0';
		errmsg("another mmscope export%s%s%s writes to %s (it holds %s)", *pid ? " (pid " : "",
		       pid, *pid ? ")" : "", dir, path);
		close(fd);
		return -1;
	}
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, strlen(pid), 0) < 0)
		verbose("cannot write the pid into %s", path);
	return fd;
}

/* Temporary files a killed exporter left (we hold the lock: none is live). */
static void textfile_clean(const char *dir)
{
	char pat[4096];
	glob_t g;
	size_t i;

	snprintf(pat, sizeof(pat), "%s/" TEXTFILE_TMP "*", dir);
	if (glob(pat, GLOB_NOSORT, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++)
		unlink(g.gl_pathv[i]);
	globfree(&g);
}

/* The whole file in a temporary one, then rename(): a reader sees the old or the new. */
static int textfile_write(const char *dir, const struct export_cfg *cfg)
{
	char tmp[4096], dst[4096];
	FILE *f;
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s/" TEXTFILE_TMP "XXXXXX", dir);
	snprintf(dst, sizeof(dst), "%s/" TEXTFILE_NAME, dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		errmsg("cannot create a file in %s: %s", dir, strerror(errno));
		return EXIT_FAIL;
	}
	f = fdopen(fd, "w");
	if (!f || fchmod(fd, 0644)) {
		err = errno;
	} else {
		export_write(cfg, f, false);
		if (fflush(f) || ferror(f) || fsync(fd))
			err = errno ? errno : EIO;
	}
	if (f ? fclose(f) : close(fd))
		err = err ? err : errno;
	if (!err && rename(tmp, dst))
		err = errno;
	if (err) {
		unlink(tmp);
		errmsg("writing %s: %s", dst, strerror(err));
		return EXIT_FAIL;
	}
	verbose("wrote %s", dst);
	return EXIT_OK;
}

static int run_textfile(const char *dir, const struct export_cfg *cfg, struct interval_opts *io)
{
	long written = 0;
	int lock, err;

	lock = textfile_lock(dir);
	if (lock < 0)
		return EXIT_FAIL;
	textfile_clean(dir);
	interval_install_signals();
	do {
		err = textfile_write(dir, cfg);
		if (err || !io->interval)
			break;
		written++;
	} while (interval_next(io, written) && !mmscope_exiting);
	close(lock);
	return err;
}

static bool wants_openmetrics(struct MHD_Connection *conn, const struct export_cfg *cfg)
{
	const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_ACCEPT);

	return cfg->openmetrics || (accept && strstr(accept, "application/openmetrics-text"));
}

/* body: a constant string, or (owned) a malloc'ed one MHD frees. */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *type, const char *body, size_t len, bool owned)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body, owned ? MHD_RESPMEM_MUST_FREE :
					    MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (owned)
			free((void *)body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* GET /metrics: a fresh exposition.  One scrape at a time (one MHD thread). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **state)
{
	const struct export_cfg *cfg = cls;
	bool om = wants_openmetrics(conn, cfg);
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	static const char only_get[] = "GET only\n", index[] = "<a href=\"/metrics\">/metrics</a>\n",
		     not_found[] = "not found: try /metrics\n";

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", only_get,
			     sizeof(only_get) - 1, false);
	if (!strcmp(url, "/"))
		return reply(conn, MHD_HTTP_OK, "text/html", index, sizeof(index) - 1, false);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found, sizeof(not_found) - 1,
			     false);
	f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	export_write(cfg, f, om);
	if (fclose(f)) {
		free(body);
		return MHD_NO;
	}
	return reply(conn, MHD_HTTP_OK, om ? OPENMETRICS_CONTENT_TYPE : PROM_CONTENT_TYPE, body, len,
		     true);
}

/* "PORT", ":PORT", "ADDR:PORT", "[ADDR6]:PORT": host (127.0.0.1 if none) and port. */
static int split_listen(const char *spec, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon = strrchr(spec, ':');
	long long v;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (!end || end[1] != ':') {
			errmsg("--listen '%s': an IPv6 address is [ADDR]:PORT", spec);
			return EXIT_USAGE;
		}
		snprintf(host, hlen, "%.*s", (int)(end - spec - 1), spec + 1);
		colon = end + 1;
	} else if (!colon || colon == spec) {
		snprintf(host, hlen, "127.0.0.1");
	} else {
		snprintf(host, hlen, "%.*s", (int)(colon - spec), spec);
	}
	snprintf(port, plen, "%s", colon ? colon + 1 : spec);
	return parse_num("--listen PORT", port, 0, 65535, &v);
}

/*
 * A numeric address ("localhost" too): the binary is static, and glibc's
 * resolver would need its shared NSS modules at run time.
 */
static int parse_addr(const char *host, unsigned int port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!strcmp(host, "localhost"))
		host = "127.0.0.1";
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* The listening socket, bound here so that a refusal says why. */
static int listen_on(const char *spec, char *where, size_t wlen)
{
	char host[256], port[16], h[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, err;

	err = split_listen(spec, host, sizeof(host), port, sizeof(port));
	if (err)
		return -err;
	if (parse_addr(host, atoi(port), &ss, &sl)) {
		errmsg("--listen '%s': '%s' is not an IPv4 or IPv6 address", spec, host);
		return -EXIT_USAGE;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 32)) {
		err = errno;
		errmsg("--listen %s: %s%s", spec, strerror(err), err == EADDRINUSE ?
		       " (another exporter on that port? pick another with --listen ADDR:PORT)" : "");
		if (fd >= 0)
			close(fd);
		return -EXIT_FAIL;
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, h, sizeof(h));
		snprintf(where, wlen, "[%s]:%u", h, ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, h, sizeof(h));
		snprintf(where, wlen, "%s:%u", h, ntohs(((struct sockaddr_in *)&ss)->sin_port));
	}
	return fd;
}

/*
 * The main thread waits for a signal, taking a census every
 * census_interval meanwhile (--census); MHD's thread serves the scrapes.
 */
static void listen_wait(const struct export_cfg *cfg, const sigset_t *stop)
{
	struct timespec ts = { .tv_sec = cfg->census ? cfg->census_interval : 3600 };

	while (!mmscope_exiting) {
		if (cfg->census)
			export_census_refresh();
		if (sigtimedwait(stop, NULL, &ts) > 0)
			mmscope_exiting = 1;
	}
}

static int run_listen(const char *spec, struct export_cfg *cfg)
{
	struct MHD_Daemon *d;
	sigset_t stop;
	char where[96];
	int fd;

	fd = listen_on(spec, where, sizeof(where));
	if (fd < 0)
		return -fd;
	interval_install_signals();
	/* Blocked in MHD's thread too: they come to sigtimedwait(). */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	if (cfg->census)
		export_census_refresh();	/* the first scrape has one */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, cfg,
			     MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
			     MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
	if (!d) {
		errmsg("cannot start the HTTP server on %s", where);
		close(fd);
		return EXIT_FAIL;
	}
	fprintf(stderr, "mmscope: serving http://%s/metrics\n", where);
	listen_wait(cfg, &stop);
	MHD_stop_daemon(d);
	close(fd);
	return EXIT_OK;
}

static int export_opts(const struct opts *o, struct export_cfg *cfg, struct interval_opts *io)
{
	long long v = 300;
	int err;

	cfg->cache_glob = o->arg[OPT_CACHE];
	cfg->per_cpu = o->set[OPT_PER_CPU];
	cfg->census = o->set[OPT_CENSUS];
	cfg->openmetrics = o->set[OPT_OPENMETRICS];
	err = opt_num(o, OPT_CENSUS_INTERVAL, 1, 7 * 86400, &v);
	if (err)
		return err;
	cfg->census_interval = v;
	if (o->set[OPT_CENSUS_INTERVAL] && !cfg->census) {
		errmsg("--census-interval applies only with --census");
		return EXIT_USAGE;
	}
	if (o->set[OPT_TEXTFILE] && o->set[OPT_LISTEN]) {
		errmsg("give one of --textfile DIR and --listen ADDR:PORT");
		return EXIT_USAGE;
	}
	if (o->set[OPT_TEXTFILE] && cfg->openmetrics) {
		errmsg("--textfile writes the Prometheus text format, the only one node_exporter's "
		       "textfile collector reads: leave out --openmetrics");
		return EXIT_USAGE;
	}
	if (o->argc && !o->set[OPT_TEXTFILE]) {
		errmsg("[interval] [count] applies only with --textfile DIR (--listen serves "
		       "every scrape; stdout is once)");
		return EXIT_USAGE;
	}
	return opt_interval(o, 0, &io->interval, &io->count);
}

static int do_export(const struct cmd *cmd, struct opts *o)
{
	struct export_cfg cfg = { 0 };
	struct interval_opts io = { 0 };
	int err;

	err = export_opts(o, &cfg, &io);
	if (err)
		return err;
	if (require_root("mmscope export (a BPF iterator, DAMON's sysfs, the module's debugfs)"))
		return EXIT_NOPRIV;
	/* A scrape then costs an iterator run, not a BPF load and verification. */
	slab_state_keep_bpf();
	if (o->set[OPT_TEXTFILE])
		return run_textfile(o->arg[OPT_TEXTFILE], &cfg, &io);
	if (o->set[OPT_LISTEN])
		return run_listen(o->arg[OPT_LISTEN], &cfg);
	export_write(&cfg, stdout, cfg.openmetrics);
	return fflush(stdout) ? EXIT_FAIL : EXIT_OK;
}

const struct cmd cmd_export = {
	.name = "export",
	.summary = "metrics for Prometheus: stdout, node_exporter's textfile, or HTTP /metrics",
	.args = "[interval [count]]",
	.opts = "openmetrics textfile listen census census-interval per-cpu cache",
	.doc = "Sheaf and barn state, SLUB_STATS sheaf counters, mTHP per-size\n"
	       "statistics, DAMON's intervals and goal, and (with --census and the\n"
	       "module) the MM-ID census, in the Prometheus text format (OpenMetrics\n"
	       "with --openmetrics, or when a scraper asks for it).  Once to stdout;\n"
	       "with --textfile DIR into DIR/mmscope.prom by rename (never a partial\n"
	       "file), once or every interval; with --listen, over HTTP at /metrics,\n"
	       "fresh for each scrape.  mmscope_source_up says which sources are\n"
	       "missing and why.  Caches: -C GLOB, by default those with sheaves.\n",
	.examples = "mmscope export                                  once, to stdout\n"
		    "mmscope export --listen 9465                    http://127.0.0.1:9465/metrics\n"
		    "mmscope export --textfile /var/lib/prometheus/node-exporter 60\n"
		    "mmscope export --census --census-interval 600 --listen 0.0.0.0:9465\n"
		    "mmscope export -C 'kmalloc-*' --per-cpu --openmetrics",
	.run = do_export,
};
