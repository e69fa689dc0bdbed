// SPDX-License-Identifier: GPL-2.0
/* mmscope status: what this machine offers mmscope, in one screen. */
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <json-c/json.h>

#include "jsonl.h"
#include "mmscope.h"
#include "interval.h"
#include "attach.h"
#include "probe.h"
#include "trace_attach.h"
#include "commands.h"

static const char *const status_options[] = {
	"TRANSPARENT_HUGEPAGE", "MM_ID", "NO_PAGE_MAPCOUNT", "SLUB_TINY",
	"SLUB_STATS", "DAMON", "DAMON_VADDR", "DAMON_PADDR", "DAMON_SYSFS",
	"DEBUG_INFO_BTF", "MODULES", "KPROBES", "FPROBE",
};

/* The module's features file as a JSON object of "name": "value". */
static struct json_object *module_features(void)
{
	struct json_object *obj = json_object_new_object();
	char buf[4096], *line, *save = NULL;

	if (read_file(MMSCOPE_DEBUGFS "/features", buf, sizeof(buf)) <= 0)
		return obj;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strstr(line, ": ");

		if (!colon)
			continue;
		*colon = '\0';
		json_object_object_add(obj, line, json_object_new_string(colon + 2));
	}
	return obj;
}

/*
 * The patch series' parts as the kernel's BTF shows them, module or not:
 * each part adds tracepoints, and every tracepoint has a btf_trace_ type.
 */
static const struct {
	const char *part, *tracepoint;
} patch_tracepoints[] = {
	{ "sheaf_tracepoints", "sheaf_refill" },
	{ "mm_id_tracepoints", "folio_mm_id" },
};

static struct json_object *patch_parts(void)
{
	struct json_object *obj = json_object_new_object();
	size_t i;

	for (i = 0; i < sizeof(patch_tracepoints) / sizeof(patch_tracepoints[0]); i++)
		json_object_object_add(obj, patch_tracepoints[i].part,
				       json_object_new_boolean(kernel_has_tracepoint(
					       patch_tracepoints[i].tracepoint)));
	return obj;
}

/* Which attach point each general tracer would choose on this kernel. */
static struct json_object *tracer_plans(void)
{
	static const char *const recipes[] = { "slab", "page" };
	struct json_object *obj = json_object_new_object();
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		json_object_object_add(obj, recipes[i],
				       trace_attach_plan(recipes[i], buf, sizeof(buf)) ? NULL :
				       json_object_new_string(buf));
	return obj;
}

static struct json_object *collect(void)
{
	struct json_object *root = json_object_new_object();
	struct json_object *config = json_object_new_object();
	struct json_object *bpf = json_object_new_object();
	struct json_object *module = json_object_new_object();
	struct utsname uts;
	char version[64];
	size_t i;

	uname(&uts);
	json_object_object_add(root, "type", json_object_new_string("status"));
	json_object_object_add(root, "mmscope", json_object_new_string(MMSCOPE_VERSION));
	json_object_object_add(root, "kernel", json_object_new_string(uts.release));
	json_object_object_add(root, "btf",
			       json_object_new_boolean(access("/sys/kernel/btf/vmlinux", R_OK) == 0));
	json_object_object_add(root, "config_source", json_object_new_string(kconfig_source()));
	for (i = 0; i < sizeof(status_options) / sizeof(status_options[0]); i++) {
		const char *v = kconfig_value(status_options[i]);

		json_object_object_add(config, status_options[i], v ? json_object_new_string(v) : NULL);
	}
	json_object_object_add(root, "config", config);

	json_object_object_add(module, "loaded",
			       json_object_new_boolean(module_loaded(version, sizeof(version))));
	if (module_loaded(version, sizeof(version))) {
		json_object_object_add(module, "version", json_object_new_string(version));
		json_object_object_add(module, "features", module_features());
	}
	json_object_object_add(root, "module", module);
	json_object_object_add(root, "patch", patch_parts());
	json_object_object_add(root, "tracers", tracer_plans());

	for (i = 0; i < NR_BPF_KINDS; i++) {
		struct json_object *k = json_object_new_object();
		struct bpf_probe_result res;

		bpf_probe_kind(i, &res);
		json_object_object_add(k, "ok", json_object_new_boolean(res.ok));
		if (!res.ok) {
			json_object_object_add(k, "stage", json_object_new_string(res.stage));
			json_object_object_add(k, "error", json_object_new_string(strerror(-res.err)));
		} else if (i == BPF_KIND_ITER_KMEM_CACHE) {
			json_object_object_add(k, "caches", json_object_new_int64(res.value));
		}
		json_object_object_add(bpf, bpf_kind_name(i), k);
	}
	json_object_object_add(root, "bpf", bpf);
	return root;
}

static const char *str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return "?";
	return json_object_get_string(v);
}

/* A member that is an object, or an empty one: records may be partial. */
static struct json_object *obj_member(struct json_object *parent, const char *key)
{
	static struct json_object *empty;
	struct json_object *v;

	if (parent && json_object_object_get_ex(parent, key, &v) &&
	    json_object_is_type(v, json_type_object))
		return v;
	if (!empty)
		empty = json_object_new_object();
	return empty;
}

void status_render(FILE *out, struct json_object *root)
{
	struct json_object *config = obj_member(root, "config");
	struct json_object *module = obj_member(root, "module");
	struct json_object *bpf = obj_member(root, "bpf");
	struct json_object *features;

	fprintf(out, "mmscope %s on Linux %s, BTF %s\n", str(root, "mmscope"), str(root, "kernel"),
	       json_object_get_boolean(json_object_object_get(root, "btf")) ? "yes" : "no");
	fprintf(out, "\nkernel config (%s):\n", *str(root, "config_source") && *str(root, "config_source") != '?' ?
	       str(root, "config_source") : "none readable: enable IKCONFIG_PROC");
	json_object_object_foreach(config, name, value)
		fprintf(out, "  CONFIG_%-22s %s\n", name, value ? json_object_get_string(value) : "?");

	fprintf(out, "\nmodule: ");
	if (!json_object_get_boolean(json_object_object_get(module, "loaded"))) {
		fprintf(out, "%s\n", module_absent_hint());
	} else {
		fprintf(out, "mmscope.ko %s\n", str(module, "version"));
		features = obj_member(module, "features");
		json_object_object_foreach(features, fname, fvalue) {
			if (!strncmp(fname, "patch_", 6) || !strcmp(fname, "slub_sheaves"))
				fprintf(out, "  %-24s %s\n", fname, json_object_get_string(fvalue));
		}
	}

	fprintf(out, "\npatch series (from the kernel's BTF; patches/ in the mmscope tree):\n");
	features = obj_member(root, "patch");
	json_object_object_foreach(features, pname, pvalue)
		fprintf(out, "  %-24s %s\n", pname, json_object_get_boolean(pvalue) ? "yes" :
		       "no (apply patches/series to the kernel)");

	fprintf(out, "\ntracers (mmscope trace; attach points chosen here):\n");
	features = obj_member(root, "tracers");
	json_object_object_foreach(features, tname, tvalue)
		fprintf(out, "  %-16s %s\n", tname, tvalue ? json_object_get_string(tvalue) :
		       "none usable (mmscope -v trace ... says why)");

	fprintf(out, "\nBPF program types:\n");
	json_object_object_foreach(bpf, kind, res) {
		if (!json_object_is_type(res, json_type_object)) {
			continue;
		} else if (json_object_get_boolean(json_object_object_get(res, "ok"))) {
			fprintf(out, "  %-16s ok", kind);
			if (json_object_object_get(res, "caches"))
				fprintf(out, " (%s caches)", str(res, "caches"));
			fputc('\n', out);
		} else {
			fprintf(out, "  %-16s refused at %s: %s\n", kind, str(res, "stage"),
			       str(res, "error"));
		}
	}
}

static int do_status(const struct cmd *cmd, struct opts *o)
{
	struct json_object *root;

	if (o->argc) {
		errmsg("status takes no arguments; see 'mmscope status -h'");
		return EXIT_USAGE;
	}
	if (require_root("mmscope status (it loads BPF programs)"))
		return EXIT_NOPRIV;

	root = collect();
	if (o->set[OPT_JSON])
		jsonl_emit(json_object_get(root));
	else
		status_render(stdout, root);
	json_object_put(root);
	return EXIT_OK;
}

const struct cmd cmd_status = {
	.name = "status",
	.summary = "kernel features, module, patch series and BPF support here",
	.args = "",
	.opts = "json",
	.doc = "Kernel options, the mmscope module and the patch series parts it\n"
	       "found, and which BPF program types load and attach here.\n",
	.examples = "mmscope status\nmmscope status -j | jq .bpf",
	.run = do_status,
};
