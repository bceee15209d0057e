/* render: a server's first-boot user data from a template, the config and
 * its stream object, without network I/O (share/setup.sh.in, ip-provision(1)). */
#ifndef IP_RENDER_H
#define IP_RENDER_H
#include <stddef.h>
#include <jv.h>
#include "config.h"

/* Returns malloc'd bytes (*outlen set), or NULL with *err malloc'd.
 * element_sha256: the web client's hash the caller pinned (see
 * element.h), or NULL; general.element_sha256 comes first.  No network. */
char *ip_render(const struct ip_config *c, const char *tmpl, size_t len,
    jv item, const char *element_sha256, size_t *outlen, char **err);

/* crypt(3) SHA-512 ("$6$...") with a fresh random salt, or NULL. */
char *ip_password_hash(const char *password);

#endif
