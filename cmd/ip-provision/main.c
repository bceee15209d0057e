/* ip-provision: wait for each server's SSH and first-boot setup, run the
 * organiser's script, check the web server; or run one command everywhere. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "provision.h"
#include "server.h"
#include "ssh.h"
#include "util.h"

static const char usage[] =
    "[-c config] [-q] [-v] [-j N] [-u user] [-i keyfile] [-s script | -C command]\n"
    "       [--log-dir DIR] [--known-hosts FILE] [--ssh-port N] [--web-port N]\n"
    "       [--web-scheme https|http] [--ca-file FILE] [--no-wait-setup] [--cloud-init]\n"
    "       [--setup-dir DIR] [--setup-timeout S] [--script-timeout S] [--no-web] [--no-sudo]\n"
    "       [--render TEMPLATE]\n"
    "  -j, --jobs N          servers at once (default 8)\n"
    "  -u, --user NAME       log in as NAME (default: instances.user)\n"
    "  -i, --identity FILE   log in with this private key (ed25519) instead of the password\n"
    "  -s, --script FILE     upload FILE and run it with sudo after the first-boot setup\n"
    "  -C, --command CMD     only run CMD on every server (no setup wait, no web check)\n"
    "  --log-dir DIR         script/command output, one NAME.log per server\n"
    "  --known-hosts FILE    host keys (default $XDG_STATE_HOME/install-party/NS/known_hosts)\n"
    "  --ssh-port N          SSH port (default 22)\n"
    "  --web-port N, --web-scheme S   web check target (default https, 443)\n"
    "  --ca-file FILE        extra CA bundle for the web check\n"
    "  --no-wait-setup       do not wait for the first-boot setup's completion marker\n"
    "  --cloud-init          also wait for cloud-init to finish (result.json)\n"
    "  --setup-dir DIR       where the markers are (default /var/lib/install-party)\n"
    "  --setup-timeout S     wait that long for the setup (default 1800)\n"
    "  --script-timeout S    limit for -s and -C (default 3600)\n"
    "  --no-web              skip the web check\n"
    "  --no-sudo             run the -s script as the login user\n"
    "  --render TEMPLATE     print each object's rendered user data instead (no SSH)";

enum { O_LOGDIR = 1100, O_KH, O_SSHPORT, O_WEBPORT, O_WEBSCHEME, O_CAFILE, O_NOWAIT,
	O_CLOUDINIT, O_SETUPDIR, O_SETUPTO, O_SCRIPTTO, O_NOWEB, O_RENDER, O_NOSUDO };

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "jobs", required_argument, NULL, 'j' },
		{ "identity", required_argument, NULL, 'i' },
		{ "user", required_argument, NULL, 'u' },
		{ "script", required_argument, NULL, 's' },
		{ "command", required_argument, NULL, 'C' },
		{ "log-dir", required_argument, NULL, O_LOGDIR },
		{ "known-hosts", required_argument, NULL, O_KH },
		{ "ssh-port", required_argument, NULL, O_SSHPORT },
		{ "web-port", required_argument, NULL, O_WEBPORT },
		{ "web-scheme", required_argument, NULL, O_WEBSCHEME },
		{ "ca-file", required_argument, NULL, O_CAFILE },
		{ "no-wait-setup", no_argument, NULL, O_NOWAIT },
		{ "cloud-init", no_argument, NULL, O_CLOUDINIT },
		{ "setup-dir", required_argument, NULL, O_SETUPDIR },
		{ "setup-timeout", required_argument, NULL, O_SETUPTO },
		{ "script-timeout", required_argument, NULL, O_SCRIPTTO },
		{ "no-web", no_argument, NULL, O_NOWEB },
		{ "no-sudo", no_argument, NULL, O_NOSUDO },
		{ "render", required_argument, NULL, O_RENDER },
		{ NULL, 0, NULL, 0 },
	};
	struct prov_opts opt = { .jobs = 8, .ssh_port = 22, .web_scheme = "https",
	    .wait_setup = 1, .web = 1, .sudo = 1, .setup_dir = "/var/lib/install-party",
	    .setup_s = 1800, .script_s = 3600 };
	const char *script_path = NULL, *kh = NULL, *render = NULL;
	int c, rc, web_port = -1;

	ip_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "j:i:u:s:C:", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		switch (c) {
		case 'j': opt.jobs = (int)ip_cli_long("-j", optarg, 1, 1000); break;
		case 'i': opt.keyfile = optarg; break;
		case 'u': opt.user = optarg; break;
		case 's': script_path = optarg; break;
		case 'C': opt.command = optarg; break;
		case O_LOGDIR: opt.log_dir = optarg; break;
		case O_KH: kh = optarg; break;
		case O_SSHPORT: opt.ssh_port = ip_cli_long("--ssh-port", optarg, 1, 65535); break;
		case O_WEBPORT: web_port = ip_cli_long("--web-port", optarg, 1, 65535); break;
		case O_WEBSCHEME:
			if (strcmp(optarg, "http") && strcmp(optarg, "https")) {
				ip_warn("--web-scheme: expected http or https");
				ip_usage_error(usage);
			}
			opt.web_scheme = optarg;
			break;
		case O_CAFILE: opt.ca_file = optarg; break;
		case O_NOWAIT: opt.wait_setup = 0; break;
		case O_CLOUDINIT: opt.cloud_init = 1; break;
		case O_SETUPDIR: opt.setup_dir = optarg; break;
		case O_SETUPTO: opt.setup_s = ip_cli_long("--setup-timeout", optarg, 1, 86400); break;
		case O_SCRIPTTO: opt.script_s = ip_cli_long("--script-timeout", optarg, 1, 86400); break;
		case O_NOWEB: opt.web = 0; break;
		case O_NOSUDO: opt.sudo = 0; break;
		case O_RENDER: render = optarg; break;
		default: ip_usage_error(usage);
		}
	}
	if (optind != argc || (script_path && opt.command)) {
		if (script_path && opt.command)
			ip_warn("-s and -C cannot be used together");
		ip_usage_error(usage);
	}
	opt.web_port = web_port > 0 ? web_port : strcmp(opt.web_scheme, "https") ? 80 : 443;

	struct ip_config *cfg = ip_config_load(ip_config_path);
	if (render) {
		rc = prov_render(cfg, render);
		ip_config_free(cfg);
		return rc;
	}
	if (!opt.user)
		opt.user = cfg->user;
	opt.cfg = cfg;
	opt.wait_ms = cfg->connectivity_check_timeout * 1000;
	char *khpath = kh ? ip_xstrdup(kh) : ip_known_hosts_path(cfg->namespace);
	opt.known_hosts = khpath;
	if (script_path)
		opt.script = ip_read_file(script_path, 16u << 20, &opt.script_len);
	if (opt.keyfile && access(opt.keyfile, R_OK) != 0)
		ip_die(IP_EXIT_FATAL, "%s: %s", opt.keyfile, strerror(errno));
	if (opt.log_dir && mkdir(opt.log_dir, 0700) != 0 && errno != EEXIST)
		ip_die(IP_EXIT_FATAL, "%s: %s", opt.log_dir, strerror(errno));
	ip_ssh_global_init();
	rc = prov_run(cfg, &opt);
	free(khpath);
	free(opt.script);
	ip_ssh_global_cleanup();
	ip_config_free(cfg);
	return rc;
}
