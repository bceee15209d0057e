/* ip-instances: list, create and delete the namespace's instances with the
 * configured provider; streams NDJSON objects in and out. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "instances.h"
#include "log.h"
#include "util.h"

static const char usage[] =
    "[-c config] [-q] [-v] ls\n"
    "       ip-instances [-c config] [-q] [-v] create [-j N] [-t seconds] [-u file] [-x duration] [input]\n"
    "       ip-instances [-c config] [-q] [-v] delete [-n] [-w] [-j N] [-t seconds] [input]\n"
    "       ip-instances [-c config] [-q] [-v] check [-f] [-x duration] [input]\n"
    "  -j, --jobs N         servers in flight at once (default 32)\n"
    "  -t, --timeout S      create: seconds to wait for ACTIVE; delete -w: until gone (default 600)\n"
    "  -u, --user-data F    create: first-boot script, rendered for each server\n"
    "  -x, --expires-in D   create: mark each server to end after D (8h, 3d; default general.lifetime);\n"
    "                       check: say when they would end\n"
    "  -f, --force          check: over the certificate budget, warn only\n"
    "  -n, --dry-run        delete: say what would be deleted, send nothing\n"
    "  -w, --wait           delete: wait until each server is gone\n"
    "  -c, --config F       configuration file (default $INSTALL_PARTY_CONFIG, ./config.yaml)";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "jobs", required_argument, NULL, 'j' },
		{ "parallel", required_argument, NULL, 'j' },	/* its first name */
		{ "timeout", required_argument, NULL, 't' },
		{ "user-data", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "wait", no_argument, NULL, 'w' },
		{ "expires-in", required_argument, NULL, 'x' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct inst_run r = { .runner = { .jobs = 32 } };
	const char *cmd, *udfile = NULL, *env, *expires_in = NULL;
	long long lifetime = 0;
	long timeout = 600;
	int c, rc;

	ip_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "j:t:u:nwx:f", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		switch (c) {
		case 'j': r.runner.jobs = (int)ip_cli_long("-j", optarg, 1, 256); break;
		case 't': timeout = ip_cli_long("-t", optarg, 1, 86400); break;
		case 'u': udfile = optarg; break;
		case 'n': r.dry_run = 1; break;
		case 'w': r.run.wait = 1; break;
		case 'x':
			expires_in = optarg;
			if ((lifetime = ip_parse_duration(optarg)) < 0) {
				ip_warn("-x: not a duration: expected a number and s, m, h, d or w (8h, 3d)");
				ip_usage_error(usage);
			}
			break;
		case 'f': r.force = 1; break;
		default: ip_usage_error(usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		ip_usage_error(usage);
	cmd = argv[0];
	if (strcmp(cmd, "ls") && strcmp(cmd, "create") && strcmp(cmd, "delete") &&
	    strcmp(cmd, "check")) {
		ip_warn("unknown command (expected ls, create, delete or check)");
		ip_usage_error(usage);
	}
	if ((expires_in && strcmp(cmd, "create") && strcmp(cmd, "check")) || (r.force && strcmp(cmd, "check")) ||
	    (!strcmp(cmd, "ls") && (argc != 1 || r.dry_run || r.run.wait || udfile)) ||
	    (!strcmp(cmd, "create") && (argc > 2 || r.dry_run || r.run.wait)) ||
	    (!strcmp(cmd, "delete") && (argc > 2 || udfile)) ||
	    (!strcmp(cmd, "check") && (argc > 2 || r.dry_run || r.run.wait || udfile)))
		ip_usage_error(usage);
	if (argc == 2)
		r.runner.input = argv[1];

	struct ip_config *cfg = ip_config_load(ip_config_path);
	r.run.cfg = cfg;
	r.run.ns = cfg->namespace;
	r.run.timeout_ms = timeout * 1000;
	r.run.poll_ms = (env = getenv("IP_POLL_MS")) && atol(env) > 0 ? atol(env) : 2000;
	if (!expires_in)
		lifetime = cfg->lifetime;
	/* one end time for the whole run, from its start */
	r.run.expires = lifetime > 0 ? (long long)time(NULL) + lifetime : 0;
	inst_setup(&r, udfile, !strcmp(cmd, "create"));
	if (!strcmp(cmd, "ls"))
		rc = inst_ls(&r);
	else if (!strcmp(cmd, "check"))
		rc = inst_check(&r);
	else if (!strcmp(cmd, "create"))
		rc = inst_create(&r);
	else
		rc = inst_delete(&r);
	inst_close(&r);
	ip_config_free(cfg);
	return rc;
}
