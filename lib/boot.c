/* boot: the poll schedule of new servers, and the boot time kept between
 * runs. */
#include <time.h>

#include "boot.h"
#include "cache.h"
#include "log.h"
#include "stream.h"

#define KEEP_S (30L * 86400)	/* an estimate is good for a month */

void
ip_boot_open(struct ip_boot *b, long poll_ms, const char *const *key)
{
	int i;
	jv v, ms;

	b->poll_ms = poll_ms > 0 ? poll_ms : 2000;
	b->est_ms = b->poll_ms;
	b->seen_ms = -1;
	for (i = 0; i < 5 && key[i]; i++)
		b->key[i] = key[i];
	b->key[i] = NULL;
	v = ip_cache_load("boot", b->key, 0);
	ms = ip_get(v, "boot_ms");
	/* never later than the configured interval: it stays an upper bound */
	if (jv_get_kind(ms) == JV_KIND_NUMBER && jv_number_value(ms) >= 100 &&
	    jv_number_value(ms) < b->poll_ms * 8.0) {
		b->est_ms = (long)jv_number_value(ms);
		ip_debug("first poll at %.1f s, the boot time seen last time", b->est_ms / 1000.0);
	}
	jv_free(ms);
	jv_free(v);
}

long
ip_boot_delay(const struct ip_boot *b, int n, long prev)
{
	long d;

	if (n == 0)
		return b->est_ms;
	if (n == 1)
		d = b->est_ms / 4;
	else
		d = prev + prev / 2;
	if (d < 250)
		d = 250;
	return d > b->poll_ms * 8 ? b->poll_ms * 8 : d;
}

void
ip_boot_seen(struct ip_boot *b, long up_ms)
{
	/* when it was seen up, not the middle of the last two polls: next
	 * time the first poll finds it up, one poll a server */
	if (b->seen_ms < 0 || up_ms < b->seen_ms)
		b->seen_ms = up_ms;
}

void
ip_boot_close(struct ip_boot *b)
{
	if (b->seen_ms < 0)
		return;
	ip_cache_store("boot", b->key, JV_OBJECT(jv_string("boot_ms"), jv_number((double)b->seen_ms)),
	    (long long)time(NULL) + KEEP_S);
}
