/* The OpenStack provider's answer parsers: a nova servers list read as ls
 * reads it, and a Keystone catalog; the first byte picks the settings. */
#include "../../cmd/ip-instances/provider.h"
#include "fuzz.h"
#include "names.h"
#include "stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ep = NULL;
	jv out;

	fuzz_quiet();
	if (size == 0)
		return 0;
	out = ip_openstack_parse((const char *)data + 1, size - 1, "party",
	    data[0] & 1 ? "Ext-Net" : NULL, data[0] & 4 ? "v2:RegionOne" :
	    data[0] & 2 ? "RegionOne" : NULL, &ep);
	FUZZ_CHECK(jv_get_kind(out) == JV_KIND_ARRAY);
	jv_array_foreach(out, i, inst) {
		/* exact membership: only party-NAME, NAME a label */
		const char *name = ip_get_str(inst, "instance");
		FUZZ_CHECK(name && ip_name_of_instance("party", name));
		FUZZ_CHECK(strcmp(ip_get_str(inst, "name"), ip_name_of_instance("party", name)) == 0);
		jv_free(inst);
	}
	jv_free(out);
	free(ep);
	ip_secrets_reset();	/* the tokens it read */
	return 0;
}
