/* password: the attendees' SSH passwords, one place for every tool.
 * instances.passwords: shared (default) gives every server the README's
 * instances.password; per-server derives each server's own from it, so
 * nothing is stored anywhere (see install-party.yaml(5)). */
#ifndef IP_PASSWORD_H
#define IP_PASSWORD_H
#include "config.h"

/* The alphabet of derived passwords: no 0/O, 1/l/I, nor o; 32 symbols. */
#define IP_PASSWORD_ALPHABET "23456789abcdefghijkmnpqrstuvwxyz"
/* "xxxx-xxxx-xxxx": 12 symbols of 5 bits (60 bits) in 3 groups of 4. */
#define IP_PASSWORD_LEN 14

/* c->passwords (IP_PASSWORDS_SHARED or _PER_SERVER) is read and checked
 * by the config loader, as every setting is. */

/* Server `name`'s password: instances.password when shared, else derived
 * from it, the namespace and the name; registered with ip_secret() so no
 * message shows it.  Borrowed (valid until exit); NULL when name is NULL
 * or empty in per-server mode.  Safe to call from any thread: it reads
 * only the C strings of c. */
const char *ip_password_for(const struct ip_config *c, const char *name);

/* The derivation itself: HMAC-SHA-256 keyed with secret over
 * "install-party password v1" NUL namespace NUL name, its first 60 bits
 * in IP_PASSWORD_ALPHABET, most significant first, a dash after every 4.
 * out: IP_PASSWORD_LEN + 1 bytes.  0, or -1 when OpenSSL fails. */
int ip_password_derive(const char *secret, const char *ns, const char *name,
    char out[IP_PASSWORD_LEN + 1]);

#endif
