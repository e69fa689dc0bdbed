// SPDX-License-Identifier: GPL-2.0
/* What the running kernel and the mmscope module offer. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "mmscope.h"

#define DEBUGFS_MAGIC 0x64626720

static char *kconfig_text;
static const char *kconfig_path;

static void kconfig_load(void)
{
	static char boot_path[300];
	struct utsname uts;
	size_t len = 0, cap = 0;
	gzFile gz;
	int n;

	if (kconfig_text || kconfig_path)
		return;
	kconfig_path = "/proc/config.gz";
	gz = gzopen(kconfig_path, "rb");
	if (!gz && uname(&uts) == 0) {
		snprintf(boot_path, sizeof(boot_path), "/boot/config-%s", uts.release);
		kconfig_path = boot_path;
		/* gzread passes plain files through. */
		gz = gzopen(kconfig_path, "rb");
	}
	if (!gz) {
		kconfig_path = "";
		return;
	}
	do {
		if (cap - len < 65536) {
			char *p = realloc(kconfig_text, cap + 262144);

			if (!p)
				break;
			kconfig_text = p;
			cap += 262144;
		}
		n = gzread(gz, kconfig_text + len, cap - len - 1);
		if (n > 0)
			len += n;
	} while (n > 0);
	gzclose(gz);
	if (kconfig_text)
		kconfig_text[len] = '\0';
}

/* Where the kernel configuration came from, or "" when there is none. */
const char *kconfig_source(void)
{
	kconfig_load();
	return kconfig_path;
}

/*
 * The value of CONFIG_<option> ("y", "m", a number or string), "n" when the
 * configuration says it is not set, NULL when no configuration is readable.
 */
const char *kconfig_value(const char *option)
{
	static char value[128];
	char key[128];
	const char *p;
	size_t n;

	kconfig_load();
	if (!kconfig_text)
		return NULL;
	n = snprintf(key, sizeof(key), "\nCONFIG_%s=", option);
	p = strstr(kconfig_text, key);
	if (!p)
		return "n";
	p += n;
	n = strcspn(p, "\n");
	if (n >= sizeof(value))
		n = sizeof(value) - 1;
	memcpy(value, p, n);
	value[n] = '\0';
	return value;
}

/*
 * The whole file (up to len - 1 bytes), however many reads it takes: a
 * single read() of a seq_file or sysfs file may return less than it holds.
 */
int read_file(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n = 1;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

bool module_loaded(char *version, size_t len)
{
	int n = read_file("/sys/module/mmscope/version", version, len);

	if (n <= 0)
		return false;
	version[strcspn(version, "\n")] = '\0';
	return true;
}

bool debugfs_ready(void)
{
	struct statfs sfs;

	return statfs("/sys/kernel/debug", &sfs) == 0 && sfs.f_type == DEBUGFS_MAGIC;
}

int require_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	errmsg("%s needs root (CAP_SYS_ADMIN and CAP_BPF); run it with sudo", what);
	return EXIT_NOPRIV;
}

/* What to do when the module is not loaded, for this machine. */
const char *module_absent_hint(void)
{
	/* Without CONFIG_MODULES there is no /proc/modules. */
	if (access("/proc/modules", F_OK))
		return "not loaded, and this kernel has no module support (CONFIG_MODULES=n): "
		       "run it in the test VM ('make vm-shell')";
	return "not loaded: build it with 'make' and load it with "
	       "'insmod build/module/mmscope.ko'";
}

/* The module's debugfs files, or a message that says how to get them. */
int require_module(void)
{
	char version[64];

	if (!module_loaded(version, sizeof(version))) {
		errmsg("the mmscope module is %s", module_absent_hint());
		return EXIT_NOFEATURE;
	}
	if (!debugfs_ready()) {
		errmsg("debugfs is not mounted: mount -t debugfs none /sys/kernel/debug");
		return EXIT_NOFEATURE;
	}
	if (access(MMSCOPE_DEBUGFS, R_OK) != 0) {
		errmsg("cannot read %s: %s", MMSCOPE_DEBUGFS, strerror(errno));
		return errno == EACCES ? EXIT_NOPRIV : EXIT_FAIL;
	}
	return 0;
}
