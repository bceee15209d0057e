/* schema: the stream objects of the README's stream table, built here and
 * nowhere else, and the one way to fail an item. */
#ifndef IP_SCHEMA_H
#define IP_SCHEMA_H
#include <jv.h>

/* "name": type, name, namespace, instance, subdomain, domain, zone. */
jv ip_name_obj(const char *ns, const char *zone, const char *name);

/* "record" for name from a provider's record {id, subdomain, rtype,
 * target, ttl} (consumed). */
jv ip_record_obj(const char *ns, const char *zone, const char *name, jv rec,
    const char *provider);

/* "server": name with its instance (or null), its first record (or null),
 * all its records (an array) and its state (complete, mismatch,
 * orphan-instance, orphan-record); inst, rec and recs are consumed. */
jv ip_server_obj(const char *ns, const char *zone, const char *name, const char *state,
    jv inst, jv rec, jv recs);

/* "check", what ip-instances check found: whether `asked` servers (their
 * domains) can be made, the provider's facts (limits, per_server, image,
 * flavor), the certificates of the last 7 days, the end time they would
 * have (Unix seconds, 0: none) and the messages; ok when
 * problems is empty.  domains, facts, problems and warnings are consumed. */
jv ip_check_obj(const char *ns, const char *provider, long asked, jv domains, jv facts,
    long budget, long recent, long long expires, jv problems, jv warnings);

/* An "error" object for item (consumed; its name is kept) from stage. */
jv ip_error_obj(jv item, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fail one item: say "NAME: message" on stderr, emit its error object
 * (item consumed) and remember the failure for ip_items_failed(). */
void ip_item_fail(jv item, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Remember a failure that has no item of its own (a partial list). */
void ip_run_failed(void);
/* Items failed so far (ip_item_fail, ip_run_failed). */
int ip_items_failed(void);

/* item (consumed) with deleted.what = n (true when n < 0), keeping what
 * an earlier stage marked; with dry_run, also "dry_run": true. */
jv ip_mark_deleted(jv item, const char *what, int n, int dry_run);

#endif
