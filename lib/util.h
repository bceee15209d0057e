/* util: small mechanisms every part uses, each written once. */
#ifndef IP_UTIL_H
#define IP_UTIL_H
#include <stddef.h>

/* Words of a shell command: 'it'\''s'.  Returns malloc'd. */
char *ip_sh_quote(const char *s);
/* s percent-encoded for a URL path or query part.  Returns malloc'd. */
char *ip_url_escape(const char *s);
/* The whole file, NUL-terminated (*len set), at most max bytes; dies
 * (exit 2) naming the file when it cannot be read or is larger. */
char *ip_read_file(const char *path, size_t max, size_t *len);

/* Backoff: the first delay is $IP_HTTP_BACKOFF_MS when set (read once,
 * for tests), else dflt; each next delay grows by num/den up to max. */
long ip_backoff_first(long dflt);
long ip_backoff_next(long delay, int num, int den, long max);

/* A duration: a positive integer and a unit, s, m, h, d or w ("8h",
 * "3d"); seconds, or -1 when s is not one. */
long long ip_parse_duration(const char *s);
/* Unix time t as ISO 8601 UTC, "2026-12-02T08:00:00Z" (buf: 21 bytes). */
void ip_time_iso(long long t, char *buf);
/* ISO 8601 as nova and Hetzner write it ("2026-12-02T08:00:00Z",
 * ".123456" and "+01:00" allowed): Unix seconds, or -1. */
long long ip_parse_time(const char *s);

#endif
