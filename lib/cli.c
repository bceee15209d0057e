/* cli: shared option handling, so every tool says the same things. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

const char *ip_config_path;
volatile sig_atomic_t ip_interrupted;

static void
on_interrupt(int sig)
{
	ip_interrupted = sig;
	signal(sig, SIG_DFL);
}

void
ip_catch_interrupt(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_interrupt;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

int
ip_cli_common(int opt, const char *arg, const char *usage)
{
	switch (opt) {
	case 'c':
		ip_config_path = arg;
		return 1;
	case 'v':
		ip_verbosity++;
		return 1;
	case 'q':
		ip_verbosity = 0;
		return 1;
	case 'h':
		printf("usage: %s %s\n", ip_progname, usage);
		exit(0);
	case 1000:
		printf("%s %s\n", ip_progname, IP_VERSION);
		exit(0);
	}
	return 0;
}

void
ip_usage_error(const char *usage)
{
	fprintf(stderr, "usage: %s %s\n", ip_progname, usage);
	exit(IP_EXIT_FATAL);
}

long
ip_cli_long(const char *opt, const char *arg, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno || n < min || n > max)
		ip_die(IP_EXIT_FATAL, "%s: expected a number from %ld to %ld", opt, min, max);
	return n;
}
