/* cache: what one party's runs share between processes (an OpenStack
 * token, OVH's clock offset), so that the wrapper's check and the stages
 * after it authenticate once.  One 0600 file per key under
 * $XDG_RUNTIME_DIR/install-party (a 0700 directory of ours); without
 * $XDG_RUNTIME_DIR, or with IP_CACHE=off, nothing is kept and every run
 * authenticates.  Keys are a SHA-256 of everything that names the
 * credentials (URL, user, project, password), so configurations never
 * share an entry, and no secret is in a file name. */
#ifndef IP_CACHE_H
#define IP_CACHE_H
#include <jv.h>

/* The entry of kind for the key parts (NULL-terminated), or jv_invalid()
 * when there is none, it is not ours (owner, mode) or it ends within
 * margin seconds. */
jv ip_cache_load(const char *kind, const char *const *parts, long margin);
/* Keep v (an object, consumed) until expires (seconds since the epoch). */
void ip_cache_store(const char *kind, const char *const *parts, jv v, long long expires);
/* Forget the entry (its credentials were refused). */
void ip_cache_drop(const char *kind, const char *const *parts);
/* "2026-12-02T02:05:43.000000Z" (Keystone's expires_at) as epoch seconds,
 * or -1. */
long long ip_cache_iso_time(const char *s);

#endif
