/* boot: when to poll a new server.  The first poll comes at the boot time
 * this cloud showed the last time (for this endpoint, image and flavor:
 * lib/cache.h), else at poll_ms; the next ones soon after (a quarter of
 * it, growing by half each time up to 8 x poll_ms), so a server that is
 * up just after a poll waits a fraction of the interval, not a whole one,
 * and a known boot time costs one poll. */
#ifndef IP_BOOT_H
#define IP_BOOT_H

struct ip_boot {
	long poll_ms;		/* $IP_POLL_MS, default 2000 */
	long est_ms;		/* the first poll, after the create was answered */
	long seen_ms;		/* this run's shortest boot, or -1 */
	const char *key[6];	/* NULL-terminated: what the estimate is for */
};

/* key: up to 5 strings (endpoint, image, flavor...), kept by pointer. */
void ip_boot_open(struct ip_boot *b, long poll_ms, const char *const *key);
/* The delay before poll number n (0: the first). */
long ip_boot_delay(const struct ip_boot *b, int n, long prev);
/* A server was seen up at up_ms after its create was answered. */
void ip_boot_seen(struct ip_boot *b, long up_ms);
/* Keep this run's boot time for the next run. */
void ip_boot_close(struct ip_boot *b);

#endif
