/* The OVH provider's answer parsers: records, batch reads, ids, errors;
 * the first byte picks the HTTP status. */
#include "../../cmd/ip-dns/provider.h"
#include "fuzz.h"
#include "stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int statuses[] = { 200, 400, 403, 404, 429, 500 };
	int status;
	jv out;

	fuzz_quiet();
	if (size == 0)
		return 0;
	status = statuses[data[0] % 6];
	out = ip_ovh_parse((const char *)data + 1, size - 1, status);
	FUZZ_CHECK(jv_get_kind(out) == JV_KIND_ARRAY);
	jv_array_foreach(out, i, rec) {
		if (jv_get_kind(rec) == JV_KIND_OBJECT) {
			/* a record as ip-dns sees it: an id of digits, a type, a target */
			const char *id = ip_get_str(rec, "id");
			FUZZ_CHECK(id && *id && strspn(id, "0123456789") == strlen(id));
			FUZZ_CHECK(ip_get_str(rec, "rtype") && ip_get_str(rec, "target"));
			FUZZ_CHECK(ip_get_str(rec, "subdomain"));
		}
		jv_free(rec);
	}
	jv_free(out);
	return 0;
}
