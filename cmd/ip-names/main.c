/* ip-names: the names of the servers to create, as a stream of "name" objects. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "names.h"
#include "schema.h"
#include "stream.h"

#define MAX_NUMBER 10000

static const char usage[] =
    "[-c config] [-q] [-v] [-N number | name ...]\n"
    "  -N, --number N   make N random 5-letter names (default 1 when no name is given)\n"
    "  -x, --existing F names in use (any NDJSON objects with a name): never made,\n"
    "                   and refused when given\n"
    "  -c, --config F   configuration file (default $INSTALL_PARTY_CONFIG, ./config.yaml)";

static int
seen(char **names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "number", required_argument, NULL, 'N' },
		{ "existing", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct ip_config *cfg;
	char **names, **used = NULL;
	const char *existing = NULL;
	long number = -1;
	size_t n = 0, nused = 0;
	int c, bad = 0;

	ip_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "N:x:", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		if (c == 'N')
			number = ip_cli_long("-N", optarg, 1, MAX_NUMBER);
		else if (c == 'x')
			existing = optarg;
		else
			ip_usage_error(usage);
	}
	argc -= optind;
	argv += optind;
	if (number > 0 && argc > 0) {
		ip_warn("-N and names cannot be used together");
		ip_usage_error(usage);
	}
	cfg = ip_config_load(ip_config_path);
	if (existing) {
		struct ip_reader *r = ip_reader_open(existing);
		jv o;
		int rc;
		while ((rc = ip_reader_next(r, &o)) != IP_EOF) {
			if (rc == IP_BAD)
				bad = 1;
			if (rc != IP_ITEM)
				continue;
			const char *nm = ip_get_str(o, "name");
			if (nm && !seen(used, nused, nm)) {
				used = ip_xrealloc(used, (nused + 1) * sizeof(*used));
				used[nused++] = ip_xstrdup(nm);
			}
			jv_free(o);
		}
		ip_reader_close(r);
		if (bad)
			exit(IP_EXIT_FATAL);
	}

	/* Check every name first: a bad one means nothing is emitted. */
	names = ip_xcalloc(argc > 0 ? argc : (number > 0 ? number : 1), sizeof(*names));
	for (int i = 0; i < argc; i++) {
		const char *why = ip_label_why(argv[i]);
		char *dom = ip_domain(cfg->namespace, argv[i], cfg->zone);
		if (why) {
			ip_warn("name %d: not a DNS label: %s", i + 1, why);
			bad = 1;
		} else if (strlen(dom) > IP_DOMAIN_MAX) {
			ip_warn("%s: the domain name would be longer than %d characters",
			    argv[i], IP_DOMAIN_MAX);
			bad = 1;
		} else if (seen(used, nused, argv[i])) {
			ip_warn("%s: already exists in namespace %s", argv[i], cfg->namespace);
			bad = 1;
		} else if (seen(names, n, argv[i])) {
			ip_warn("%s: given twice", argv[i]);
			bad = 1;
		} else
			names[n++] = ip_xstrdup(argv[i]);
		free(dom);
	}
	if (bad)
		exit(IP_EXIT_FATAL);
	if (argc == 0) {
		if (number < 0)
			number = 1;
		while ((long)n < number) {
			char r[6];
			ip_random_name(r);
			if (!seen(names, n, r) && !seen(used, nused, r))
				names[n++] = ip_xstrdup(r);
		}
	}
	for (size_t i = 0; i < n; i++) {
		ip_emit(ip_name_obj(cfg->namespace, cfg->zone, names[i]));
		free(names[i]);
	}
	for (size_t i = 0; i < nused; i++)
		free(used[i]);
	free(used);
	free(names);
	ip_config_free(cfg);
	return 0;
}
