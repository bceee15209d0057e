/* ip-dns: list, create and delete the namespace's DNS records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dns.h"
#include "log.h"
#include "stream.h"

static const char usage[] =
    "[-c config] [-q] [-v] [-j jobs] ls | create [-6] | delete [-n]\n"
    "  ls                list the namespace's A and AAAA records as record objects\n"
    "  create            read instance objects, add their records, emit server objects\n"
    "  delete            read record or server objects and delete their records\n"
    "  -6, --ipv6        create: add an AAAA record too when the instance has IPv6\n"
    "  -n, --dry-run     delete: say what would be deleted, send nothing\n"
    "  -j, --jobs N      requests at once (default 16; args.rate_limit paces them)\n"
    "  -c, --config F    configuration file (default $INSTALL_PARTY_CONFIG, ./config.yaml)";

/* Debugging aid: sign METHOD URL TIMESTAMP BODY read from stdin lines. */
static void
sign(struct dns_run *d)
{
	char m[16], url[4096], ts[32], body[65536];

	if (!fgets(m, sizeof(m), stdin) || !fgets(url, sizeof(url), stdin) ||
	    !fgets(ts, sizeof(ts), stdin))
		ip_die(IP_EXIT_FATAL, "sign: expected METHOD, URL, TIMESTAMP and BODY lines");
	if (!fgets(body, sizeof(body), stdin))
		body[0] = '\0';
	m[strcspn(m, "\n")] = url[strcspn(url, "\n")] = ts[strcspn(ts, "\n")] = '\0';
	body[strcspn(body, "\n")] = '\0';
	char *sig = d->P->sign ? d->P->sign(d->prov, m, url, body, ts) : NULL;
	ip_print("%s\n", sig ? sig : "");
	free(sig);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "jobs", required_argument, NULL, 'j' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct ip_http_opts ho = { 0 };
	struct dns_run d = { 0 };
	const char *cmd;
	int c, rc = IP_EXIT_OK;

	ip_log_init(argv[0]);
	ho.parallel = 16;
	/* GNU getopt permutes: options may come before or after the command */
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "j:6n", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		if (c == 'j')
			ho.parallel = (int)ip_cli_long("-j", optarg, 1, 64);
		else if (c == '6')
			d.ipv6 = 1;
		else if (c == 'n')
			d.dry_run = 1;
		else
			ip_usage_error(usage);
	}
	if (optind != argc - 1) {
		ip_warn(optind >= argc ? "no command given" : "unexpected argument after the command");
		ip_usage_error(usage);
	}
	cmd = argv[optind];
	if (strcmp(cmd, "ls") && strcmp(cmd, "create") && strcmp(cmd, "delete") &&
	    strcmp(cmd, "sign")) {
		ip_warn("unknown command (expected ls, create or delete)");
		ip_usage_error(usage);
	}
	if ((d.ipv6 && strcmp(cmd, "create")) || (d.dry_run && strcmp(cmd, "delete"))) {
		ip_warn("%s only applies to %s", d.ipv6 ? "-6" : "-n", d.ipv6 ? "create" : "delete");
		ip_usage_error(usage);
	}
	d.cfg = ip_config_load(ip_config_path);
	d.P = dns_provider_find(d.cfg);
	ip_http_budget(&ho, d.cfg, "dns.args.rate_limit", d.P->name, d.P->budget);
	d.http = ip_http_new(&ho);
	d.prov = d.P->open(d.cfg, d.http);
	if (!strcmp(cmd, "sign"))
		sign(&d);
	else if (!(d.dry_run && !strcmp(cmd, "delete"))) {
		char *err = d.P->check(d.prov);
		if (err)
			ip_die(IP_EXIT_FATAL, "%s", err);
	}
	if (!strcmp(cmd, "ls"))
		rc = dns_ls(&d);
	else if (!strcmp(cmd, "create"))
		rc = dns_create(&d);
	else if (!strcmp(cmd, "delete"))
		rc = dns_delete(&d);
	d.P->close(d.prov);
	ip_http_free(d.http);
	ip_config_free((struct ip_config *)d.cfg);
	return rc;
}
