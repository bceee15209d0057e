/* render: a server's first-boot user data from a template, the config and
 * its stream object (owned by the provisioning work, see ip-provision(1)). */
#ifndef IP_RENDER_H
#define IP_RENDER_H
#include <stddef.h>
#include <jv.h>
#include "config.h"

/* Returns malloc'd bytes (*outlen set), or NULL with *err malloc'd. */
char *ip_render(const struct ip_config *c, const char *tmpl, size_t len,
    jv item, size_t *outlen, char **err);

/* The release tarball's URL: riot-web's before v1.7.15, Element's after. */
char *ip_element_url(const char *version);
/* crypt(3) SHA-512 ("$6$...") with a fresh random salt, or NULL. */
char *ip_password_hash(const char *password);

#endif
