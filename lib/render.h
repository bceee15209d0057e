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

#endif
