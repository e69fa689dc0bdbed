# SPDX-License-Identifier: GPL-2.0
# The processes of one workload as a JSON array, for the MM-ID study's
# samples (tests/study/guest-study.sh): ROOT (-v root=PID) and every
# descendant, each with what /proc/PID/smaps_rollup says of it, in kB.
#   uss = Private_Clean + Private_Dirty; pss, pss_anon, rss, anon,
#   anon_huge (AnonHugePages: PMD-mapped THPs only)
# Input: the concatenated /proc/PID/stat files (cat 2>/dev/null, so a
# process that exits under the glob costs nothing).  One awk for the whole
# sample: under TCG every fork of the sampler would be milliseconds taken
# from the workload.
{
	# "pid (comm) state ppid ...": comm may hold spaces and parentheses,
	# so the fields after it are counted from its last ')'.
	line = $0
	p = $1
	c = line
	sub(/^[0-9]+ \(/, "", c)
	rest = c
	sub(/\) [A-Za-z] .*$/, "", c)
	sub(/^.*\) /, "", rest)
	split(rest, f, " ")
	ppid[p] = f[2]
	comm[p] = c
	pids[++n] = p
}
function json_str(s) {
	gsub(/[\\"]/, "_", s)
	gsub(/[^ -~]/, "?", s)
	return "\"" s "\""
}
END {
	# Descendants: repeat until no new pid joins (trees are shallow).
	mine[root] = 1
	do {
		grew = 0
		for (i = 1; i <= n; i++) {
			q = pids[i]
			if (!(q in mine) && (ppid[q] in mine)) {
				mine[q] = 1
				grew = 1
			}
		}
	} while (grew)
	out = ""
	for (i = 1; i <= n; i++) {
		q = pids[i]
		if (!(q in mine))
			continue
		file = "/proc/" q "/smaps_rollup"
		split("", v)
		got = 0
		while ((getline l < file) > 0) {
			split(l, kv, /:[ \t]*/)
			split(kv[2], num, " ")
			v[kv[1]] = num[1] + 0
			got = 1
		}
		close(file)
		# A kernel thread or a process gone meanwhile has no rollup.
		if (!got)
			continue
		out = out (out == "" ? "" : ",") sprintf("{\"pid\":%d,\"ppid\":%d,\"comm\":%s,\"rss\":%d,\"pss\":%d,\"pss_anon\":%d,\"uss\":%d,\"anon\":%d,\"anon_huge\":%d}",
			q, ppid[q], json_str(comm[q]), v["Rss"], v["Pss"], v["Pss_Anon"],
			v["Private_Clean"] + v["Private_Dirty"], v["Anonymous"], v["AnonHugePages"])
	}
	print "[" out "]"
}
