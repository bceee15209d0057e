/* cli: the options every tool shares (-c, -v, -q, -h, --version). */
#ifndef IP_CLI_H
#define IP_CLI_H
#include <getopt.h>

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

#endif
