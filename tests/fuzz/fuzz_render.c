/* The renderer (lib/render.c): the first line is the server's domain, the
 * rest the template; the config is a fixed valid one. */
#include "config.h"
#include "fuzz.h"
#include "render.h"

static struct ip_config *cfg;

static const char config[] =
    "general: {namespace: party, riot_version: v1.4.2, connectivity_check_timeout: 30,\n"
    "  element_sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}\n"
    "instances: {user: attendee, password: pw-2026, provider: openstack, args: {}}\n"
    "dns: {zone: example.com, provider: ovh, args: {endpoint: ovh-eu}}\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t dlen = nl ? (size_t)(nl - (const char *)data) : size, outlen = 0;
	char *err = NULL, *out;
	jv item;

	fuzz_quiet();
	if (cfg == NULL) {
		char path[64];
		int fd = fuzz_file((const uint8_t *)config, sizeof(config) - 1, path);
		cfg = ip_config_load(path);
		close(fd);
	}
	item = jv_object_set(jv_object(), jv_string("domain"),
	    jv_string_sized((const char *)data, (int)dlen));
	out = ip_render(cfg, nl ? nl + 1 : "", nl ? size - dlen - 1 : 0, item, NULL, &outlen, &err);
	FUZZ_CHECK((out == NULL) != (err == NULL));
	free(out);
	free(err);
	return 0;
}
