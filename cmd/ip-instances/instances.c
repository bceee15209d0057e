/* instances: list, create and delete the namespace's instances; names
 * and namespace membership are checked here, the provider does the calls. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	ip_http_budget(&ho, r->run.cfg, "instances.args.rate_limit", r->P->name, r->P->budget);
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

#define WEEK (7 * 86400LL)

static void
collect_each(jv inst, void *ud)
{
	struct inst_run *r = ud;
	const char *s = ip_get_str(inst, "instance");
	long long t = ip_parse_time(ip_get_str(inst, "created"));

	if (s)
		r->taken = jv_object_set(r->taken, jv_string(s), jv_true());
	/* a server of unknown age counts: Let's Encrypt may have counted it */
	if (t < 0 || t > (long long)time(NULL) - WEEK)
		r->recent++;
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

/* ----------------------------------------------------------------- check */

/* One quota: a problem when k servers taking `each` do not fit; NULL when
 * they do (or the quota is unknown or unlimited).  *line says what it is. */
static char *
quota_fits(jv limits, const char *res, long k, double each, const char *flavor, char **line)
{
	jv q = ip_get_obj(limits, res);
	jv mx = jv_get_kind(q) == JV_KIND_OBJECT ? jv_object_get(jv_copy(q), jv_string("max")) : jv_null();
	jv us = jv_get_kind(q) == JV_KIND_OBJECT ? jv_object_get(jv_copy(q), jv_string("used")) : jv_null();
	const char *unit = strcmp(res, "ram") == 0 ? " MB" : "";
	const char *what = strcmp(res, "ram") == 0 ? "of RAM" : res;
	char *why = NULL;

	if (jv_get_kind(mx) != JV_KIND_NUMBER || jv_get_kind(us) != JV_KIND_NUMBER)
		*line = ip_xasprintf("%s unknown", res);
	else if (jv_number_value(mx) < 0)
		*line = ip_xasprintf("%s unlimited", res);
	else {
		long long max = (long long)jv_number_value(mx), used = (long long)jv_number_value(us);
		long long room = max > used ? max - used : 0;
		long long need = (long long)(k * each);
		*line = ip_xasprintf("room for %lld%s more %s (quota %lld, used %lld)", room, unit,
		    what, max, used);
		if (need > room) {
			if (strcmp(res, "instances") == 0)
				why = ip_xasprintf("the project has room for %lld more instances (quota "
				    "%lld, used %lld); asked for %ld", room, max, used, k);
			else
				why = ip_xasprintf("the project has room for %lld%s more %s (quota %lld, "
				    "used %lld); %ld servers of flavor %s need %lld%s (%.0f%s each)",
				    room, unit, what, max, used, k, flavor, need, unit, each, unit);
		}
	}
	jv_free(mx);
	jv_free(us);
	jv_free(q);
	return why;
}

static double
num_at(jv o, const char *key)
{
	jv v = jv_get_kind(o) == JV_KIND_OBJECT ? jv_object_get(jv_copy(o), jv_string(key)) : jv_null();
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : -1;

	jv_free(v);
	return d;
}

static jv
append(jv arr, char *s)
{
	arr = jv_array_append(arr, jv_string(s));
	free(s);
	return arr;
}

/* Let's Encrypt's "50 new certificates per registered domain per 7 days":
 * the budget applies to it (general.acme_ca unset or letsencrypt), or to
 * any CA when general.certificate_budget is set. */
static long
cert_budget(const struct ip_config *cfg, const char **ca)
{
	jv set = ip_config_get(cfg, "general.certificate_budget");
	int explicit = jv_is_valid(set) && jv_get_kind(set) != JV_KIND_NULL;

	jv_free(set);
	*ca = ip_config_str_or(cfg, "general.acme_ca", NULL);
	if (explicit || *ca == NULL || strcmp(*ca, "letsencrypt") == 0 ||
	    strcmp(*ca, "https://acme-v02.api.letsencrypt.org/directory") == 0)
		return cfg->certificate_budget;
	return 0;
}

int
inst_check(struct inst_run *r)
{
	const struct ip_config *cfg = r->run.cfg;
	struct ip_reader *in;
	jv facts, item, problems = jv_array(), warnings = jv_array(), names = jv_array();
	jv limits, per;
	char *why, *line[3];
	const char *ca, *flavor;
	long k = 0, budget;
	int rc;

	open_provider(r);
	r->run.ls_all = 1;	/* every name taken, even by another namespace */
	if (r->P->ls(r->pdata, collect_each, r) < 0)
		ip_die(IP_EXIT_FATAL, "cannot list the instances: nothing checked");
	r->run.ls_all = 0;
	in = ip_reader_open(r->runner.input);
	while ((rc = ip_reader_next(in, &item)) != IP_EOF) {
		const char *name = rc == IP_ITEM ? ip_get_str(item, "name") : NULL;
		if (rc != IP_ITEM)
			continue;
		if (!ip_get_type(item, "name") || name == NULL || !ip_label_ok(name)) {
			jv_free(item);
			continue;
		}
		char *inst = ip_instance_name(r->run.ns, name);
		if (jv_object_has(jv_copy(r->taken), jv_string(inst)))
			problems = append(problems, ip_xasprintf("%s: instance %s already exists",
			    name, inst));
		r->taken = jv_object_set(r->taken, jv_string(inst), jv_true());
		char *dom = ip_domain(r->run.ns, name, cfg->zone);
		names = jv_array_append(names, jv_string(dom));
		free(dom);
		free(inst);
		jv_free(item);
		k++;
	}
	if (ip_reader_errors(in))
		problems = append(problems, ip_xstrdup("the names could not all be read"));
	ip_reader_close(in);

	facts = r->P->check(r->pdata);
	jv fp = ip_get(facts, "problems");
	if (jv_get_kind(fp) == JV_KIND_ARRAY)
		jv_array_foreach(fp, i, p) {
			if (jv_get_kind(p) == JV_KIND_STRING)
				problems = jv_array_append(problems, jv_copy(p));
			jv_free(p);
			(void)i;
		}
	jv_free(fp);
	limits = ip_get_obj(facts, "limits");
	per = ip_get_obj(facts, "per_server");
	jv fl = ip_get_obj(facts, "flavor");
	flavor = ip_get_str(fl, "name") ? ip_get_str(fl, "name") : ip_get_str(fl, "id");
	if (flavor == NULL)
		flavor = "?";
	if (jv_get_kind(limits) == JV_KIND_OBJECT) {
		static const char *const res[] = { "instances", "cores", "ram" };
		for (int i = 0; i < 3; i++) {
			double each = i == 0 ? 1 : num_at(per, i == 1 ? "cores" : "ram");
			line[i] = NULL;
			if (each < 0) {
				line[i] = ip_xasprintf("%s per server unknown", res[i]);
				continue;
			}
			if ((why = quota_fits(limits, res[i], k, each, flavor, &line[i])) != NULL)
				problems = append(problems, why);
		}
		ip_info("quota: %s; %s; %s; asked for %ld server(s)", line[0], line[1], line[2], k);
		for (int i = 0; i < 3; i++)
			free(line[i]);
	} else {
		const char *note = ip_get_str(facts, "limits_note");
		ip_info("quota: unknown (%s): not checked", note ? note : "the provider tells none");
	}
	if (jv_get_kind(fl) == JV_KIND_OBJECT && num_at(fl, "vcpus") >= 0)
		ip_info("flavor %s: %.0f vCPU(s), %.0f MB of RAM", flavor, num_at(fl, "vcpus"),
		    num_at(fl, "ram"));
	jv im = ip_get_obj(facts, "image");
	if (ip_get_str(im, "id"))
		ip_info("image %s: %s", ip_get_str(im, "id"), ip_get_str(im, "name") ?
		    ip_get_str(im, "name") : "(no name)");
	jv_free(im);
	jv_free(fl);

	budget = cert_budget(cfg, &ca);
	if (budget > 0 && r->recent + k > budget) {
		char *m = ip_xasprintf("certificates: %ld server(s) of the namespace were made in "
		    "the last 7 days, %ld more make %ld, over the budget of %ld certificates a "
		    "week for %s (Let's Encrypt: 50 per registered domain per 7 days); ways "
		    "out: general.acme_ca: letsencrypt-staging for a rehearsal, another zone, "
		    "another CA, or --force", r->recent, k, r->recent + k, budget, cfg->zone);
		if (r->force) {
			ip_warn("%s: going on (--force)", m);
			warnings = append(warnings, m);
		} else
			problems = append(problems, m);
	} else if (budget > 0)
		ip_info("certificates: %ld server(s) made in the last 7 days + %ld = %ld of the "
		    "budget of %ld a week", r->recent, k, r->recent + k, budget);
	else if (ca && cfg->certificate_budget > 0)
		ip_info("certificates: general.acme_ca is %s: no weekly budget to check", ca);
	else
		ip_info("certificates: general.certificate_budget is 0: not checked");

	jv_array_foreach(problems, i, p) {
		ip_warn("%s", jv_string_value(p));
		jv_free(p);
		(void)i;
	}
	int ok = jv_array_length(jv_copy(problems)) == 0;
	jv_free(limits);
	jv_free(per);
	ip_emit(ip_check_obj(r->run.ns, r->P->name, k, names, facts, budget, r->recent,
	    r->run.expires, problems, warnings));
	return ok ? IP_EXIT_OK : IP_EXIT_ITEM;
}
