// SPDX-License-Identifier: GPL-2.0
/* user/mmid_parse.c against mmid/ answers written out by hand. */
#include "unit.h"
#include "mmscope.h"
#include "mmid.h"
#include "commands.h"

static void parse_large_folio(void)
{
	static const char text[] =
		"pfn: 10829\nhead_pfn: 10752\nstate: large\norder: 9\nnr_pages: 512\n"
		"type: anon\nrefcount: 1024\npincount: 0\nlarge_mapcount: 1024\n"
		"entire_mapcount: 0\nslot0_mm_id: 6\nslot0_mapcount: 512\n"
		"slot1_mm_id: 3\nslot1_mapcount: 512\nshared_bit: 1\n"
		"maybe_mapped_shared: 1\ncensus_state: shared\napproximate: yes\n"
		"anon_exclusive_pages: 0\n"
		"slot0_tasks: 56:mmid-thp\nslot1_tasks: 60:mmid-thp 61:x\n";
	struct mmid_folio f;

	CHECK(mmid_parse_folio(text, &f) == 0, "parse failed");
	CHECK(f.pfn == 10829 && f.head_pfn == 10752, "pfn %lu head %lu", f.pfn, f.head_pfn);
	CHECK_STR(f.state, "large");
	CHECK_STR(f.type, "anon");
	CHECK_STR(f.census_state, "shared");
	CHECK(f.order == 9 && f.nr_pages == 512, "order %u nr %ld", f.order, f.nr_pages);
	CHECK(f.large_mapcount == 1024 && f.refcount == 1024, "mapcount %d", f.large_mapcount);
	CHECK(f.id[0] == 6 && f.id[1] == 3, "ids %u %u", f.id[0], f.id[1]);
	CHECK(f.slot_mapcount[0] == 512 && f.slot_mapcount[1] == 512, "slot mapcounts");
	CHECK(f.shared_bit && f.maybe_shared, "shared bit / verdict");
	CHECK(f.approximate, "approximate");
	CHECK(f.anon_exclusive == 0, "anon exclusive %ld", f.anon_exclusive);
	CHECK_STR(f.tasks[1], "60:mmid-thp 61:x");
}

static void parse_free_and_garbage(void)
{
	struct mmid_folio f;

	CHECK(mmid_parse_folio("pfn: 1000\nstate: free\n", &f) == 0, "free parse failed");
	CHECK_STR(f.state, "free");
	CHECK(f.head_pfn == 1000 && f.nr_pages == 1, "free head %lu nr %ld", f.head_pfn, f.nr_pages);
	CHECK(f.anon_exclusive == -1, "free anon_exclusive %ld", f.anon_exclusive);
	CHECK(!f.approximate, "free approximate");
	CHECK(mmid_parse_folio("pfn: 1001\nstate: busy\n", &f) == 0, "busy parse failed");
	CHECK_STR(f.state, "busy");
	CHECK(f.head_pfn == 1001, "busy head %lu", f.head_pfn);
	CHECK(mmid_parse_folio("garbage\n", &f) != 0, "garbage parsed");
	CHECK(mmid_parse_folio("", &f) != 0, "empty parsed");
}

static void parse_census(void)
{
	static const char text[] =
		"pfns_scanned: 524255\nscan_ns: 24001500\npfns_per_sec: 21842593\n"
		"large_folios: 4\nanon: 4\nfile: 0\nshared_bit: 3\nmaybe_shared: 3\n"
		"hugetlb: 0\nkernel_compound: 168\nbusy: 0\n"
		"order    exclusive       shared    untracked     unmapped   shared_bit maybe_shared\n"
		"    2            0            0            0            7            0            0\n"
		"    9            1            1            2            0            3            3\n"
		"hist large_mapcount: 0:7 10:2 11:2\nhist slot0_mapcount: 10:3\n"
		"hist slot1_mapcount: 10:2 99:5\n";
	struct mmid_census c;

	CHECK(mmid_parse_census(text, &c) == 0, "census parse failed");
	CHECK(c.pfns == 524255 && c.ns == 24001500, "pfns %llu ns %llu", c.pfns, c.ns);
	CHECK(c.large == 4 && c.maybe_shared == 3 && c.kernel == 168, "totals");
	CHECK(c.state[9][0] == 1 && c.state[9][1] == 1 && c.state[9][2] == 2 &&
	      c.state[9][3] == 0, "order 9 row");
	CHECK(c.state[2][3] == 7 && c.order_bit[9] == 3 && c.order_maybe[9] == 3, "order 2 row");
	CHECK(c.hist[0][0] == 7 && c.hist[0][10] == 2 && c.hist[0][11] == 2, "large hist");
	CHECK(c.hist[1][10] == 3 && c.hist[2][10] == 2, "slot hists");
	CHECK(mmid_parse_census("pfns_scanned: 1\n", &c) != 0, "census without a table parsed");
}

/*
 * A census file as module/mmid_census.c writes it (seq_printf formats
 * copied: "%5d" rows, " %12s" headings, "approximate:", " %d:%llu" hist
 * pairs), through the parser, the record and the text renderer: the
 * buckets of the file are the buckets printed (field report item 15).
 */
static void census_file_to_text(void)
{
	static const char text[] =
		"pfns_scanned: 262144\nscan_ns: 1500000\npfns_per_sec: 174762666\n"
		"large_folios: 3\nanon: 3\nfile: 0\nshared_bit: 0\nmaybe_shared: 0\n"
		"hugetlb: 0\nkernel_compound: 12\nbusy: 0\napproximate: 0\n"
		"order    exclusive       shared    untracked     unmapped   shared_bit maybe_shared\n"
		"    9            3            0            0            0            0            0\n"
		"hist large_mapcount: 1:3\n"
		"hist slot0_mapcount: 1:3\n"
		"hist slot1_mapcount: 0:3\n";
	struct json_object *rec, *h, *b;
	struct mmid_census c;
	char *txt = NULL;

	CHECK(mmid_parse_census(text, &c) == 0, "census parse failed");
	CHECK(c.hist[0][1] == 3 && c.hist[1][1] == 3 && c.hist[2][0] == 3,
	      "parsed hists: large[1] %llu slot0[1] %llu slot1[0] %llu",
	      c.hist[0][1], c.hist[1][1], c.hist[2][0]);
	rec = mmid_census_record(&c);
	CHECK(json_object_object_get_ex(rec, "large_mapcount", &h) &&
	      json_object_array_length(h) == 1, "record's large_mapcount: %s",
	      json_object_to_json_string(rec));
	b = json_object_array_get_idx(h, 0);
	CHECK_STR(json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN),
		  "{\"min\":1,\"max\":1,\"count\":3}");
	CAPTURE(txt, mmid_census_render(out, rec));
	json_object_put(rec);
	CHECK(strstr(txt, "@large_mapcount:\n[1]                    3 |@@@@@@@@@@@@@@@@"
		      "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"), "large_mapcount text:\n%s", txt);
	CHECK(strstr(txt, "@slot0_mapcount:\n[1]                    3 |"), "slot0 text:\n%s", txt);
	CHECK(strstr(txt, "@slot1_mapcount:\n[0]                    3 |"), "slot1 text:\n%s", txt);
	CHECK(strstr(txt, "    9          3          0          0          0"), "order 9 row:\n%s", txt);
	free(txt);
}

int main(void)
{
	RUN(parse_large_folio);
	RUN(parse_free_and_garbage);
	RUN(parse_census);
	RUN(census_file_to_text);
	return unit_failed;
}
