/* The name rules (lib/names.c) and the terminal filter (lib/log.c):
 * "NAMESPACE\nTEXT"; each rule must agree with its inverse. */
#include <strings.h>

#include "fuzz.h"
#include "names.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *ns, *s, *t;
	const char *n;

	fuzz_quiet();
	memcpy(buf, data, size);
	buf[size] = '\0';
	ns = buf;
	s = strchr(buf, '\n');
	s = s ? (*s = '\0', s + 1) : buf + size;

	FUZZ_CHECK(ip_label_ok(s) == (ip_label_why(s) == NULL));
	if (ip_label_ok(ns)) {
		if ((n = ip_name_of_instance(ns, s)) != NULL) {
			t = ip_instance_name(ns, n);
			FUZZ_CHECK(ip_label_ok(n) && strcmp(t, s) == 0);
			free(t);
		}
		if ((t = ip_name_of_subdomain(ns, s)) != NULL) {
			char *back = ip_subdomain(ns, t);
			/* letters without case, as DNS compares them */
			FUZZ_CHECK(ip_label_ok(t) && strcasecmp(back, s) == 0);
			free(back);
			free(t);
		}
	}
	/* nothing a terminal acts on gets through, and nothing grows */
	t = ip_sanitize(s);
	FUZZ_CHECK(strlen(t) <= strlen(s));
	for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
		FUZZ_CHECK(*p >= 0x20 && *p != 0x7f);
		FUZZ_CHECK(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0));
	}
	free(t);
	free(buf);
	return 0;
}
