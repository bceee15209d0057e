/* The Hetzner providers' answer parsers: a servers answer read as ls reads
 * it (the first byte 0) or an RRsets answer as records (otherwise). */
#include "../../cmd/ip-dns/provider.h"
#include "../../cmd/ip-instances/provider.h"
#include "fuzz.h"
#include "names.h"
#include "stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jv out;

	fuzz_quiet();
	if (size == 0)
		return 0;
	if (data[0] == 0) {
		out = ip_hetzner_parse((const char *)data + 1, size - 1, "party");
		jv_array_foreach(out, i, inst) {
			/* exact membership: party-NAME, NAME a label */
			const char *name = ip_get_str(inst, "instance");
			FUZZ_CHECK(name && ip_name_of_instance("party", name));
			FUZZ_CHECK(ip_get_str(inst, "id"));
			jv_free(inst);
		}
	} else {
		out = ip_hetzner_dns_parse((const char *)data + 1, size - 1);
		jv_array_foreach(out, i, rec) {
			FUZZ_CHECK(ip_get_str(rec, "id") && ip_get_str(rec, "subdomain"));
			FUZZ_CHECK(ip_get_str(rec, "rtype") && ip_get_str(rec, "target"));
			jv_free(rec);
		}
	}
	FUZZ_CHECK(jv_get_kind(out) == JV_KIND_ARRAY);
	jv_free(out);
	return 0;
}
