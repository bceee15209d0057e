/* ip-check: how far each server's attendee has got: DNS, SSH, HTTPS,
 * Element, the homeserver's client API, .well-known, federation, keys. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "server.h"

static const char usage[] =
    "[-c config] [-q] [-v] [-j N] [--timeout S] [--nameserver ADDR[:PORT]]\n"
    "       [--ssh-port N] [--web-port N] [--ca-file FILE] [--known-hosts FILE] [file]\n"
    "  -j, --jobs N            servers checked at once (default 32)\n"
    "  -t, --timeout S         each check's limit in seconds (default 10)\n"
    "  --nameserver ADDR[:PORT] ask this name server (IPv4) instead of the system's\n"
    "  --ssh-port N            the servers' SSH port (default 22)\n"
    "  --web-port N            the servers' HTTPS port (default 443)\n"
    "  --ca-file FILE          extra CA bundle (a private or test CA)\n"
    "  --known-hosts FILE      the host keys ip-provision recorded\n"
    "                          (default $XDG_STATE_HOME/install-party/NS/known_hosts)";

enum { O_NS = 1100, O_SSHPORT, O_WEBPORT, O_CAFILE, O_KH };

static void
parse_ns(const char *arg, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (n < sizeof(host)) {
		memcpy(host, arg, n);
		host[n] = '\0';
	}
	if (n >= sizeof(host) || inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
		ip_warn("--nameserver: expected an IPv4 address, with :PORT or not");
		exit(IP_EXIT_FATAL);
	}
	sa->sin_port = htons(colon ? (int)ip_cli_long("--nameserver port", colon + 1, 1, 65535) : 53);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "jobs", required_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "nameserver", required_argument, NULL, O_NS },
		{ "ssh-port", required_argument, NULL, O_SSHPORT },
		{ "web-port", required_argument, NULL, O_WEBPORT },
		{ "ca-file", required_argument, NULL, O_CAFILE },
		{ "known-hosts", required_argument, NULL, O_KH },
		{ NULL, 0, NULL, 0 },
	};
	struct ck_opts o = { .jobs = 32, .timeout_ms = 10000, .ssh_port = 22, .web_port = 443 };
	struct ip_config *cfg = NULL;
	const char *kh = NULL, *env = getenv("IP_KNOWN_HOSTS");
	char *khpath;
	int c, rc;

	ip_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "j:t:", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		switch (c) {
		case 'j': o.jobs = (int)ip_cli_long("-j", optarg, 1, 1000); break;
		case 't': o.timeout_ms = ip_cli_long("--timeout", optarg, 1, 3600) * 1000; break;
		case O_NS: parse_ns(optarg, &o.ns); break;
		case O_SSHPORT: o.ssh_port = ip_cli_long("--ssh-port", optarg, 1, 65535); break;
		case O_WEBPORT: o.web_port = ip_cli_long("--web-port", optarg, 1, 65535); break;
		case O_CAFILE: o.ca_file = optarg; break;
		case O_KH: kh = optarg; break;
		default: ip_usage_error(usage);
		}
	}
	if (argc - optind > 1)
		ip_usage_error(usage);
	if (o.ca_file && access(o.ca_file, R_OK) != 0)
		ip_die(IP_EXIT_FATAL, "%s: %s", o.ca_file, strerror(errno));
	/* The known hosts' default path needs the namespace: the config's. */
	if (kh)
		khpath = ip_xstrdup(kh);
	else if (env && *env)
		khpath = ip_known_hosts_path("");
	else {
		cfg = ip_config_load(ip_config_path);
		khpath = ip_known_hosts_path(cfg->namespace);
	}
	o.known_hosts = khpath;
	rc = ck_run(&o, optind < argc ? argv[optind] : "-");
	free(khpath);
	if (cfg)
		ip_config_free(cfg);
	return rc;
}
