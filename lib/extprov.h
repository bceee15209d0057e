/* extprov: providers that are executables (ip-provider(7)).  Each
 * operation runs the command once, as "COMMAND OPERATION", with a request
 * object on stdin (the provider's args, secrets included, are only ever
 * there), reads NDJSON objects from its stdout, and is bounded by a
 * timeout.  Calls are asynchronous on the ip_http loop. */
#ifndef IP_EXTPROV_H
#define IP_EXTPROV_H
#include <jv.h>

#include "config.h"
#include "http.h"

struct ip_ext;

/* The path of "TOOL-NAME" (ip-dns-NAME) on PATH, or NULL (caller frees). */
char *ip_ext_find(const char *tool, const char *name);
/* section: "dns" or "instances"; tool: "ip-dns" or "ip-instances".  The
 * command is SECTION.args.command for the provider "exec", else TOOL-NAME
 * on PATH; dies (exit 2) with a located message when there is none. */
struct ip_ext *ip_ext_open(const struct ip_config *cfg, const char *section, const char *tool,
    struct ip_http *h);
void ip_ext_close(struct ip_ext *x);
/* The provider's name for record and instance objects. */
const char *ip_ext_name(const struct ip_ext *x);

/* out: the objects the command wrote (an array); err: NULL when it exited
 * 0 and wrote only JSON objects, else one line saying what went wrong. */
typedef void (*ip_ext_cb)(void *ud, jv out, const char *err, int status);
/* Run operation op; req (an object, consumed) gets "type", "op", "args",
 * "namespace" and "zone" added. */
void ip_ext_call(struct ip_ext *x, const char *op, jv req, ip_ext_cb cb, void *ud);
/* The same, waiting for the answer: 0, or -1 with *err set (caller frees). */
int ip_ext_call_sync(struct ip_ext *x, const char *op, jv req, jv *out, char **err,
    int *status);

#endif
