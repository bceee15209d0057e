/* instances: list, create and delete the namespace's instances; names
 * and namespace membership are checked here, the provider does the calls. */
#include <stdlib.h>
#include <string.h>

#include "element.h"
#include "instances.h"
#include "log.h"
#include "names.h"
#include "render.h"
#include "schema.h"
#include "stream.h"
#include "util.h"

/* The providers this build knows (lib/providers.def). */
#define IP_INSTANCE_PROVIDER(name) &ip_instance_provider_##name,
#define IP_DNS_PROVIDER(name)
static const struct ip_provider *const providers[] = {
#include "providers.def"
	NULL
};

#define USER_DATA_MAX 65535	/* nova: length of the base64 string */
#define B64_LEN(n) (((n) + 2) / 3 * 4)

void
inst_setup(struct inst_run *r, const char *udfile, int create)
{
	const struct ip_config *cfg = r->run.cfg;

	for (int i = 0; providers[i]; i++)
		if (strcmp(providers[i]->name, cfg->instances_provider) == 0)
			r->P = providers[i];
	if (r->P == NULL)	/* the loader found ip-instances-NAME on PATH */
		r->P = &ip_instance_provider_exec;
	r->taken = jv_object();
	if (!udfile)
		return;
	r->tmpl = ip_read_file(udfile, 16u * 1024 * 1024, &r->tlen);
	if (B64_LEN(r->tlen) > USER_DATA_MAX)
		ip_die(IP_EXIT_FATAL, "%s: %zu bytes is too big for user data "
		    "(nova takes %d bytes of base64, %d bytes before encoding)",
		    udfile, r->tlen, USER_DATA_MAX, USER_DATA_MAX / 4 * 3);
	/* The web client's checksum, made here once for every server. */
	if (create && !cfg->element_sha256 && memmem(r->tmpl, r->tlen, "@ELEMENT_SHA256@", 16)) {
		char *err;
		const char *v = ip_element_version(cfg);
		if (ip_element_fetch_sha256(cfg, r->element_sha256, &err) < 0) {
			if (ip_element_is_riot(v))
				ip_die(IP_EXIT_FATAL, "cannot fetch the web client %s for its "
				    "SHA-256 (%s); its signing key expired in 2021: set "
				    "general.element_sha256", v, err);
			ip_warn("cannot fetch the web client %s for its SHA-256 (%s): "
			    "each server checks its signature instead", v, err);
			free(err);
		}
	}
}

static void
open_provider(struct inst_run *r)
{
	struct ip_http_opts ho = { 0 };

	ho.parallel = r->runner.jobs;
	ho.ca_file = ip_config_str_or(r->run.cfg, "instances.args.ca_file", NULL);
	r->run.http = ip_http_new(&ho);
	r->pdata = r->P->open(&r->run);
}

void
inst_close(struct inst_run *r)
{
	if (r->pdata)
		r->P->close(r->pdata);
	ip_http_free(r->run.http);
	jv_free(r->taken);
	free(r->tmpl);
}

static void
emit_each(jv inst, void *ud)
{
	(void)ud;
	ip_emit(inst);
}

int
inst_ls(struct inst_run *r)
{
	open_provider(r);
	if (r->P->ls(r->pdata, emit_each, NULL) < 0)
		ip_run_failed();
	return ip_exit_status();
}

/* The runner over the input (-j from main.c), one job per object of types. */
static int
run(struct inst_run *r, const char *const *types, int (*start)(void *, jv))
{
	r->runner.types = types;
	r->runner.http = r->run.http;
	r->runner.fd = -1;
	r->runner.start = start;
	r->runner.ud = r;
	return ip_runner_run(&r->runner);
}

/* What the provider's job ends with: emit, count, free. */
static void
job_done(struct ip_job *j, jv out, int failed)
{
	struct inst_run *r = j->ud;

	if (jv_get_kind(out) == JV_KIND_NULL)
		out = ip_mark_deleted(jv_copy(j->item), "instance", -1, 0);
	ip_emit(out);
	if (failed)
		ip_run_failed();
	jv_free(j->item);
	free(j->instance);
	free(j->id);
	free(j);
	ip_runner_done(&r->runner);
}

static struct ip_job *
job_new(struct inst_run *r, jv item, char *instance)
{
	struct ip_job *j = ip_xcalloc(1, sizeof(*j));

	j->item = item;
	j->instance = instance;
	j->done = job_done;
	j->ud = r;
	return j;
}

static void
collect_each(jv inst, void *ud)
{
	struct inst_run *r = ud;
	const char *s = ip_get_str(inst, "instance");

	if (s)
		r->taken = jv_object_set(r->taken, jv_string(s), jv_true());
	jv_free(inst);
}

/* create: one "name" object in; returns 1 when a job was started. */
static int
start_create(void *ud, jv item)
{
	struct inst_run *r = ud;
	const char *name = ip_get_str(item, "name"), *ns = ip_get_str(item, "namespace");
	char *inst, *udata = NULL, *err = NULL;
	const char *why;
	size_t udlen = 0;

	if (name == NULL) {
		ip_item_fail(item, "instances-create", "no name");
		return 0;
	}
	if ((why = ip_label_why(name)) != NULL) {
		ip_item_fail(item, "instances-create", "not a DNS label: %s", why);
		return 0;
	}
	if (ns && strcmp(ns, r->run.ns) != 0) {
		ip_item_fail(item, "instances-create", "belongs to namespace %s, not %s",
		    ns, r->run.ns);
		return 0;
	}
	inst = ip_instance_name(r->run.ns, name);
	if (jv_object_has(jv_copy(r->taken), jv_string(inst))) {
		ip_item_fail(item, "instances-create",
		    "instance %s already exists in the namespace", inst);
		free(inst);
		return 0;
	}
	r->taken = jv_object_set(r->taken, jv_string(inst), jv_true());
	if (r->tmpl) {
		udata = ip_render(r->run.cfg, r->tmpl, r->tlen, jv_copy(item),
		    *r->element_sha256 ? r->element_sha256 : NULL, &udlen, &err);
		if (udata == NULL) {
			ip_item_fail(item, "instances-create", "user data: %s",
			    err ? err : "cannot render");
			free(err);
			free(inst);
			return 0;
		}
		if (B64_LEN(udlen) > USER_DATA_MAX) {
			ip_item_fail(item, "instances-create",
			    "user data is %zu bytes; nova takes at most %d bytes of base64 "
			    "(%d bytes before encoding)", udlen, USER_DATA_MAX,
			    USER_DATA_MAX / 4 * 3);
			free(udata);
			free(inst);
			return 0;
		}
	}
	r->P->create(r->pdata, job_new(r, item, inst), udata, udlen);
	return 1;
}

int
inst_create(struct inst_run *r)
{
	static const char *const types[] = { "name", NULL };

	open_provider(r);
	/* names taken by anyone, even servers tagged for another namespace */
	r->run.ls_all = 1;
	if (r->P->ls(r->pdata, collect_each, r) < 0)
		ip_die(IP_EXIT_ITEM, "cannot list the namespace's instances: nothing created");
	r->run.ls_all = 0;
	return run(r, types, start_create);
}

/* delete: an "instance" or a "server" object in. */
static int
start_delete(void *ud, jv item)
{
	struct inst_run *r = ud;
	const char *iname, *id, *ns, *name;
	struct ip_job *j;
	jv inst;

	if (ip_get_type(item, "server")) {
		inst = ip_get_obj(item, "instance");
		if (jv_get_kind(inst) != JV_KIND_OBJECT) {
			jv_free(inst);
			ip_emit(item);	/* no instance part: not ours to handle */
			return 0;
		}
	} else
		inst = jv_copy(item);
	iname = ip_get_str(inst, "instance");
	id = ip_get_str(inst, "id");
	ns = ip_get_str(item, "namespace");
	name = ip_get_str(item, "name");
	if (iname == NULL || ip_name_of_instance(r->run.ns, iname) == NULL ||
	    (ns && strcmp(ns, r->run.ns) != 0)) {
		jv_free(inst);
		ip_item_fail(item, "instances-delete",
		    "not an instance of namespace %s: not deleted", r->run.ns);
		return 0;
	}
	if (id == NULL || *id == '\0') {
		jv_free(inst);
		ip_item_fail(item, "instances-delete", "no server id: not deleted");
		return 0;
	}
	if (r->dry_run) {
		ip_info("%s: would delete instance %s (%s)", name ? name : iname, iname, id);
		jv_free(inst);
		ip_emit(ip_mark_deleted(item, "instance", -1, 1));
		return 0;
	}
	j = job_new(r, jv_invalid(), ip_xstrdup(iname));
	j->id = ip_xstrdup(id);
	jv_free(inst);
	j->item = item;
	r->P->delete(r->pdata, j);
	return 1;
}

int
inst_delete(struct inst_run *r)
{
	static const char *const types[] = { "instance", "server", NULL };

	/* a dry run sends nothing at all, not even authentication */
	if (!r->dry_run)
		open_provider(r);
	return run(r, types, start_delete);
}
