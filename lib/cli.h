/* cli: the options every tool shares (-c, -v, -q, -h, --version). */
#ifndef IP_CLI_H
#define IP_CLI_H
#include <getopt.h>
#include <signal.h>

#define IP_COMMON_SHORT "c:vqh"
#define IP_COMMON_LONG \
	{ "config", required_argument, NULL, 'c' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 1000 }

extern const char *ip_config_path;	/* -c FILE, or NULL */

/* Handle a shared option: returns 1 when it was one.  -h prints usage to
 * stdout and exits 0; --version prints the version and exits 0. */
int ip_cli_common(int opt, const char *arg, const char *usage);
/* Print usage to stderr and exit 2. */
void ip_usage_error(const char *usage) __attribute__((noreturn));
/* A positive integer option value, or a usage error naming the option. */
long ip_cli_long(const char *opt, const char *arg, long min, long max);

/* Ctrl-C: the first SIGINT, SIGTERM or SIGHUP sets ip_interrupted to its
 * number (stop taking new work, finish what is in flight); the next one ends
 * the process as usual.  The runner (runner.h) acts on it.
 * A signal the caller ignores (as install-party does for later stages)
 * stays ignored. */
extern volatile sig_atomic_t ip_interrupted;
void ip_catch_interrupt(void);

#endif
