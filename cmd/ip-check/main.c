/* ip-check: how far each server's attendee has got: DNS, SSH, HTTPS,
 * Element, the homeserver's client API, .well-known, federation, keys. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "ssh.h"
#include "stream.h"

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

struct run {
	int inflight, not_federated;
};

static void
on_done(jv out, void *ud)
{
	struct run *run = ud;
	jv st = jv_object_get(jv_object_get(jv_copy(out), jv_string("check")), jv_string("stage"));
	const char *name = ip_get_str(out, "name");

	if (jv_get_kind(st) != JV_KIND_STRING || strcmp(jv_string_value(st), "federation") != 0)
		run->not_federated = 1;
	ip_debug("%s: stage %s", name ? name : "?", jv_get_kind(st) == JV_KIND_STRING ?
	    jv_string_value(st) : "?");
	jv_free(st);
	ip_emit(out);
	run->inflight--;
}

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
	struct ck_opts o = { .timeout_ms = 10000, .ssh_port = 22, .web_port = 443 };
	struct ip_http_opts ho = { .retries = -1 };
	struct run run = { 0, 0 };
	const char *kh = NULL;
	long jobs = 32;
	int c, pipefd[2];

	ip_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "j:t:", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		switch (c) {
		case 'j': jobs = ip_cli_long("-j", optarg, 1, 1000); break;
		case 't': o.timeout_ms = ip_cli_long("--timeout", optarg, 1, 3600) * 1000; break;
		case O_NS: parse_ns(optarg, &o.ns); break;
		case O_SSHPORT: o.ssh_port = ip_cli_long("--ssh-port", optarg, 1, 65535); break;
		case O_WEBPORT: o.web_port = ip_cli_long("--web-port", optarg, 1, 65535); break;
		case O_CAFILE: ho.ca_file = optarg; break;
		case O_KH: kh = optarg; break;
		default: ip_usage_error(usage);
		}
	}
	if (argc - optind > 1)
		ip_usage_error(usage);
	if (ho.ca_file && access(ho.ca_file, R_OK) != 0)
		ip_die(IP_EXIT_FATAL, "%s: %s", ho.ca_file, strerror(errno));

	/* The known hosts' default path needs the namespace: the config's. */
	struct ip_config *cfg = NULL;
	char *khpath;
	if (kh)
		khpath = ip_xstrdup(kh);
	else if (getenv("IP_KNOWN_HOSTS") && *getenv("IP_KNOWN_HOSTS"))
		khpath = ip_known_hosts_path("");
	else {
		cfg = ip_config_load(ip_config_path);
		khpath = ip_known_hosts_path(cfg->namespace);
	}
	o.known_hosts = khpath;

	/* Each server has 7 requests in flight at once. */
	ho.parallel = (int)(jobs * 7 > 512 ? 512 : jobs * 7);
	ho.timeout_ms = o.timeout_ms;
	ho.connect_timeout_ms = o.timeout_ms;
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		ip_die(IP_EXIT_FATAL, "pipe: %s", strerror(errno));
	fcntl(pipefd[0], F_SETFL, fcntl(pipefd[0], F_GETFL) | O_NONBLOCK);
	ip_ssh_global_init();
	struct ip_http *h = ip_http_new(&ho);
	struct ip_reader *r = ip_reader_open(optind < argc ? argv[optind] : "-");
	ip_reader_nonblock(r);
	ip_catch_interrupt();

	int eof = 0, want_read = 1;
	while (!eof || run.inflight > 0) {
		if (ip_interrupted) {
			/* checks change nothing: no need to see them through */
			struct sigaction sa;
			ip_warn("interrupted: %d servers left unchecked", run.inflight);
			/* the signal that came is back to its default (lib/cli.c) */
			int sig = sigaction(SIGTERM, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL ?
			    SIGTERM : SIGINT;
			signal(sig, SIG_DFL);
			raise(sig);
		}
		while (!eof && want_read && run.inflight < jobs) {
			jv item;
			int rc = ip_reader_next(r, &item);
			if (rc == IP_EOF)
				eof = 1;
			else if (rc == IP_AGAIN)
				want_read = 0;
			else if (rc == IP_ITEM && !ip_get_type(item, "server"))
				ip_emit(item);	/* errors and the rest pass on */
			else if (rc == IP_ITEM) {
				run.inflight++;
				ck_start(h, &o, item, pipefd[1], on_done, &run);
			}
		}
		if (eof && run.inflight == 0)
			break;
		struct curl_waitfd w[2] = {
			{ .fd = pipefd[0], .events = CURL_WAIT_POLLIN },
			{ .fd = ip_reader_fd(r), .events = CURL_WAIT_POLLIN },
		};
		ip_http_step_fds(h, w, !eof && run.inflight < jobs ? 2 : 1, 1000);
		/* curl does not report POLLHUP: try the non-blocking reader anyway */
		want_read = 1;
		void *tok;
		while (read(pipefd[0], &tok, sizeof(tok)) == sizeof(tok))
			ck_notified(tok);
	}
	int bad = ip_reader_errors(r) > 0;
	ip_reader_close(r);
	ip_http_free(h);
	ip_ssh_global_cleanup();
	close(pipefd[0]);
	close(pipefd[1]);
	free(khpath);
	if (cfg)
		ip_config_free(cfg);
	return bad || run.not_federated ? IP_EXIT_ITEM : IP_EXIT_OK;
}
