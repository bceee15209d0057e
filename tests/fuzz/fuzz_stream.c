/* The NDJSON reader (lib/stream.c): any bytes, line by line, as a file. */
#include "fuzz.h"
#include "names.h"
#include "stream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd, rc, n = 0;
	struct ip_reader *r;
	jv o;

	fuzz_quiet();
	fd = fuzz_file(data, size, path);
	r = ip_reader_open(path);
	while ((rc = ip_reader_next(r, &o)) != IP_EOF) {
		FUZZ_CHECK(rc == IP_ITEM || rc == IP_BAD);
		if (rc != IP_ITEM)
			continue;
		FUZZ_CHECK(jv_get_kind(o) == JV_KIND_OBJECT);
		/* what every stage does with an item from outside */
		const char *name = ip_get_str(o, "name"), *inst = ip_get_str(o, "instance");
		const char *sub = ip_get_str(o, "subdomain");
		FUZZ_CHECK(!name || strlen(name) == strlen(name));
		if (inst)
			(void)ip_name_of_instance("party", inst);
		free(ip_name_of_subdomain("party", sub));
		ip_get_type(o, "instance");
		jv_free(ip_get_obj(o, "instance"));
		n++;
		jv_free(o);
	}
	(void)n;
	ip_reader_close(r);
	close(fd);
	return 0;
}
