/* The config loader (lib/config.c): any bytes as config.yaml.  A bad file
 * ends in ip_die (back here by longjmp); a good one must be consistent. */
#include "config.h"
#include "fuzz.h"
#include "names.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd;
	struct ip_config *volatile c = NULL;

	fuzz_quiet();
	fd = fuzz_file(data, size, path);
	if (setjmp(fuzz_die) == 0) {
		c = ip_config_load(path);
		/* what the loader promises: checked values */
		FUZZ_CHECK(ip_label_ok(c->namespace));
		FUZZ_CHECK(c->connectivity_check_timeout >= 1);
		FUZZ_CHECK(strcmp(c->user, "root") != 0);
		(void)ip_config_where(c, "instances.args.nothing.deeper");
		ip_config_free(c);
	}
	/* the secrets a good file registered would pile up across inputs */
	ip_secrets_reset();
	close(fd);
	return 0;
}
