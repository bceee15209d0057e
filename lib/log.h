/* log: "ip-x: message" on stderr, verbosity, and secret redaction. */
#ifndef IP_LOG_H
#define IP_LOG_H
#include <stdarg.h>
#include <stdnoreturn.h>

/* Exit codes shared by every tool (see the man pages' EXIT STATUS). */
enum { IP_EXIT_OK = 0, IP_EXIT_ITEM = 1, IP_EXIT_FATAL = 2 };

extern const char *ip_progname;
extern int ip_verbosity;		/* 0 quiet (-q), 1 normal, 2+ verbose (-v) */

void ip_log_init(const char *argv0);

/* Every string registered here is replaced by "***" in all log output. */
void ip_secret(const char *s);
/* Forget them all (tests/fuzz: one config after another). */
void ip_secrets_reset(void);
/* Redact registered secrets from s; returns a malloc'd string. */
char *ip_redact(const char *s);

/* A copy of s safe for a terminal: control characters (C0, DEL, C1 such as
 * ESC and CSI) and bytes that are not UTF-8 become '?'.  Every message
 * goes through it; so must any other outside text written to a terminal. */
char *ip_sanitize(const char *s);

/* Error or warning, always shown (even with -q). */
void ip_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress, shown unless -q. */
void ip_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Detail, shown with -v. */
void ip_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void ip_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* tests/fuzz only: called by ip_die instead of exiting; must not return. */
extern void (*ip_die_hook)(int code);
void ip_vlog(int level, const char *fmt, va_list ap);

/* Allocation that never returns NULL (dies with exit 2 instead). */
void *ip_xmalloc(size_t n);
void *ip_xcalloc(size_t n, size_t m);
void *ip_xrealloc(void *p, size_t n);
char *ip_xstrdup(const char *s);
char *ip_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *ip_vxasprintf(const char *fmt, va_list ap);

#endif
