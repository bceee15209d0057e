/* exec: an instances provider that is an executable (ip-provider(7)): the
 * command of instances.args.command, or ip-instances-NAME on PATH, run once
 * per operation.  Membership is decided here, with ip_name_of_instance(),
 * whatever the command lists; main.c keeps selection and -j. */
#include <stdlib.h>
#include <string.h>

#include "../provider.h"
#include "extprov.h"
#include "log.h"
#include "names.h"
#include "schema.h"
#include "stream.h"
#include "util.h"

struct ex {
	struct ip_run *run;
	struct ip_ext *x;
};

static const char *
str(jv o, const char *k)
{
	return jv_get_kind(o) == JV_KIND_OBJECT ? ip_get_str(o, k) : NULL;
}

/* A string or null field of o, as a jv (null when missing or not a string). */
static jv
opt_str(jv o, const char *k)
{
	const char *s = str(o, k);

	return s ? jv_string(s) : jv_null();
}

/* A time the provider gave back, as ISO 8601 UTC, or null. */
static jv
norm_time(const char *s)
{
	long long t = ip_parse_time(s);
	char buf[21];

	if (t < 0)
		return jv_null();
	ip_time_iso(t, buf);
	return jv_string(buf);
}

/* The provider's instance object -> ours (built on ip_name_obj), or
 * jv_invalid() when it is not one, jv_null() when it is not ours. */
static jv
norm(struct ex *e, jv o)
{
	const char *iname = str(o, "instance"), *id = str(o, "id"), *name;
	jv out;

	if (!ip_get_type(o, "instance") || iname == NULL || id == NULL || *id == '\0')
		return jv_invalid();
	if ((name = ip_name_of_instance(e->run->ns, iname)) == NULL)
		return jv_null();
	out = ip_name_obj(e->run->ns, e->run->cfg->zone, name);
	out = jv_object_set(out, jv_string("type"), jv_string("instance"));
	out = jv_object_set(out, jv_string("instance"), jv_string(iname));
	out = jv_object_set(out, jv_string("id"), jv_string(id));
	out = jv_object_set(out, jv_string("status"), opt_str(o, "status"));
	out = jv_object_set(out, jv_string("ipv4"), opt_str(o, "ipv4"));
	out = jv_object_set(out, jv_string("ipv6"), opt_str(o, "ipv6"));
	out = jv_object_set(out, jv_string("provider"), jv_string(ip_ext_name(e->x)));
	out = jv_object_set(out, jv_string("created"), opt_str(o, "created"));
	out = jv_object_set(out, jv_string("expires"), norm_time(str(o, "expires")));
	return out;
}

static void *
ex_open(struct ip_run *run)
{
	struct ex *e = ip_xcalloc(1, sizeof(*e));
	char *err = NULL;
	int status = 0;

	e->run = run;
	e->x = ip_ext_open(run->cfg, "instances", "ip-instances", run->http);
	if (ip_ext_call_sync(e->x, "check", jv_object(), NULL, &err, &status) < 0) {
		ip_warn("%s", err);
		free(err);
		exit(IP_EXIT_FATAL);
	}
	return e;
}

static void
ex_close(void *p)
{
	struct ex *e = p;

	if (e) {
		ip_ext_close(e->x);
		free(e);
	}
}

static int
ex_ls(void *p, void (*each)(jv, void *), void *ud)
{
	struct ex *e = p;
	jv req = jv_object_set(jv_object(), jv_string("all"), jv_bool(e->run->ls_all));
	jv out, keep = jv_array();
	char *err = NULL;
	int rc = 0;

	if (ip_ext_call_sync(e->x, "ls", req, &out, &err, NULL) < 0) {
		ip_warn("%s", err);
		free(err);
		jv_free(out);
		jv_free(keep);
		return -1;
	}
	/* all or nothing: a listing with a bad object is no listing */
	jv_array_foreach(out, i, o) {
		jv n = norm(e, o);
		jv_free(o);
		if (!jv_is_valid(n)) {
			jv_free(n);
			ip_warn("ls: object %d of the provider's output is not an "
			    "instance (type, instance, id)", i + 1);
			rc = -1;
			break;
		}
		if (jv_get_kind(n) == JV_KIND_OBJECT)
			keep = jv_array_append(keep, n);
		else
			jv_free(n);
	}
	jv_free(out);
	if (rc == 0)
		jv_array_foreach(keep, i, o)
			each(o, ud);
	jv_free(keep);
	return rc;
}

static void
created(void *ud, jv out, const char *err, int status)
{
	struct ip_job *j = ud;
	struct ex *e = j->pdata;
	jv inst = jv_invalid();
	char *why = NULL;

	(void)status;
	if (err == NULL) {
		jv_array_foreach(out, i, o) {
			jv n = norm(e, o);
			if (jv_get_kind(n) == JV_KIND_OBJECT && !strcmp(str(n, "instance"), j->instance) &&
			    !jv_is_valid(inst))
				inst = n;
			else
				jv_free(n);
			jv_free(o);
			(void)i;
		}
		if (!jv_is_valid(inst))
			why = ip_xasprintf("create: the provider answered no instance object "
			    "for %s", j->instance);
	}
	jv_free(out);
	if (err || why) {
		ip_warn("%s: %s", j->instance, err ? err : why);
		j->done(j, ip_error_obj(jv_copy(j->item), "instances-create", "%s",
		    err ? err : why), 1);
	} else {
		ip_info("%s: created (%s)", j->instance, str(inst, "id"));
		j->done(j, inst, 0);
	}
	free(why);
}

static void
ex_create(void *p, struct ip_job *j, char *user_data, size_t len)
{
	struct ex *e = p;
	jv req = jv_object();

	req = jv_object_set(req, jv_string("name"), jv_copy(j->item));
	req = jv_object_set(req, jv_string("instance"), jv_string(j->instance));
	req = jv_object_set(req, jv_string("user_data"),
	    user_data ? jv_string_sized(user_data, (int)len) : jv_null());
	if (e->run->expires > 0) {
		char buf[21];
		ip_time_iso(e->run->expires, buf);
		req = jv_object_set(req, jv_string("expires"), jv_string(buf));
	} else
		req = jv_object_set(req, jv_string("expires"), jv_null());
	free(user_data);
	j->pdata = e;
	ip_ext_call(e->x, "create", req, created, j);
}

static void
deleted(void *ud, jv out, const char *err, int status)
{
	struct ip_job *j = ud;

	(void)status;
	jv_free(out);
	if (err) {
		ip_warn("%s: %s", j->instance, err);
		j->done(j, ip_error_obj(jv_copy(j->item), "instances-delete", "%s", err), 1);
	} else {
		ip_info("%s: deleted", j->instance);
		j->done(j, jv_null(), 0);
	}
}

static void
ex_delete(void *p, struct ip_job *j)
{
	struct ex *e = p;
	jv inst = jv_object();

	inst = jv_object_set(inst, jv_string("type"), jv_string("instance"));
	inst = jv_object_set(inst, jv_string("instance"), jv_string(j->instance));
	inst = jv_object_set(inst, jv_string("id"), jv_string(j->id));
	ip_ext_call(e->x, "delete", jv_object_set(jv_object(), jv_string("instance"), inst),
	    deleted, j);
}

/* Pre-flight: the optional "preflight" operation's object; a provider
 * without it (the run fails, or writes none) has quotas "unknown". */
static jv
ex_check(void *p)
{
	struct ex *e = p;
	jv out = jv_invalid(), res = JV_OBJECT(jv_string("limits"), jv_null(),
	    jv_string("per_server"), jv_null(), jv_string("image"), jv_null(),
	    jv_string("flavor"), jv_null(), jv_string("problems"), jv_array());
	char *err = NULL;
	int found = 0;

	if (ip_ext_call_sync(e->x, "preflight", jv_object(), &out, &err, NULL) < 0) {
		char *note = ip_xasprintf("%s answers no preflight: %s", ip_ext_name(e->x), err);
		res = jv_object_set(res, jv_string("limits_note"), jv_string(note));
		free(note);
		free(err);
		jv_free(out);
		return res;
	}
	jv_array_foreach(out, i, o) {
		if (!found && ip_get_type(o, "preflight")) {
			static const char *const keys[] = { "limits", "per_server", "image", "flavor" };
			found = 1;
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				res = jv_object_set(res, jv_string(keys[k]), ip_get_obj(o, keys[k]));
			jv pr = ip_get(o, "problems");
			if (jv_get_kind(pr) == JV_KIND_ARRAY)
				jv_array_foreach(pr, n, m) {
					if (jv_get_kind(m) == JV_KIND_STRING) {
						jv all = ip_get(res, "problems");
						res = jv_object_set(res, jv_string("problems"),
						    jv_array_append(all, m));
					} else
						jv_free(m);
					(void)n;
				}
			jv_free(pr);
		}
		jv_free(o);
		(void)i;
	}
	jv_free(out);
	if (!found)
		res = jv_object_set(res, jv_string("limits_note"),
		    jv_string_fmt("%s wrote no preflight object", ip_ext_name(e->x)));
	return res;
}

const struct ip_provider ip_instance_provider_exec = {
	.name = "exec",
	.open = ex_open,
	.ls = ex_ls,
	.create = ex_create,
	.delete = ex_delete,
	.check = ex_check,
	.close = ex_close,
};
