/* ip-instances: list, create and delete the namespace's instances with the
 * configured provider; streams NDJSON objects in and out. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "names.h"
#include "provider.h"
#include "render.h"
#include "stream.h"

/* The providers this build knows; the config names one of them. */
static const struct ip_provider *const providers[] = {
	&ip_provider_openstack,
	&ip_provider_hetzner,
	NULL,
};

#define USER_DATA_MAX 65535	/* nova: length of the base64 string */
#define B64_LEN(n) (((n) + 2) / 3 * 4)

static const char usage[] =
    "[-c config] [-q] [-v] ls\n"
    "       ip-instances [-c config] [-q] [-v] create [-j N] [-t seconds] [-u file] [input]\n"
    "       ip-instances [-c config] [-q] [-v] delete [-n] [-w] [-j N] [-t seconds] [input]\n"
    "  -j, --jobs N         servers in flight at once (default 8)\n"
    "  -t, --timeout S      create: seconds to wait for ACTIVE; delete -w: until gone (default 600)\n"
    "  -u, --user-data F    create: first-boot script, rendered for each server\n"
    "  -n, --dry-run        delete: say what would be deleted, send nothing\n"
    "  -w, --wait           delete: wait until each server is gone\n"
    "  -c, --config F       configuration file (default $INSTALL_PARTY_CONFIG, ./config.yaml)";

static int failed;
static int inflight;
static const struct ip_provider *prov;
static void *pdata;
static struct ip_run run;
static jv taken;		/* create: instance names already used */

void
ip_job_done(struct ip_job *j, jv out, int fail)
{
	if (jv_get_kind(out) == JV_KIND_NULL) {
		/* delete succeeded: the input object, marked */
		jv item = jv_copy(j->item), d = ip_get_obj(item, "deleted");
		if (jv_get_kind(d) != JV_KIND_OBJECT) {
			jv_free(d);
			d = jv_object();
		}
		d = jv_object_set(d, jv_string("instance"), jv_true());
		out = jv_object_set(item, jv_string("deleted"), d);
	}
	ip_emit(out);
	if (fail)
		failed = 1;
	jv_free(j->item);
	free(j->instance);
	free(j->id);
	free(j);
	inflight--;
}

static void
emit_each(jv inst, void *ud)
{
	(void)ud;
	ip_emit(inst);
}

static void
collect_each(jv inst, void *ud)
{
	const char *s = ip_get_str(inst, "instance");

	(void)ud;
	if (s)
		taken = jv_object_set(taken, jv_string(s), jv_true());
	jv_free(inst);
}

static int
is_taken(const char *inst)
{
	return jv_object_has(jv_copy(taken), jv_string(inst));
}

static char *
slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	char *buf;
	ssize_t k;

	if (fd < 0)
		ip_die(IP_EXIT_FATAL, "%s: %s", path, strerror(errno));
	buf = ip_xmalloc(cap + 1);
	while ((k = read(fd, buf + n, cap - n)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			ip_die(IP_EXIT_FATAL, "%s: %s", path, strerror(errno));
		}
		n += k;
		if (n == cap) {
			if (cap > 16u * 1024 * 1024)
				ip_die(IP_EXIT_FATAL, "%s: too big for user data", path);
			cap *= 2;
			buf = ip_xrealloc(buf, cap + 1);
		}
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* create: one "name" object in; returns 1 when a job was started. */
static int
start_create(jv item, const char *tmpl, size_t tlen)
{
	const char *name = ip_get_str(item, "name"), *ns = ip_get_str(item, "namespace");
	char *inst, *ud, *err = NULL;
	const char *why;
	size_t udlen = 0;
	struct ip_job *j;

	if (name == NULL) {
		ip_warn("input: a name object without a name");
		ip_emit(ip_error_obj(item, "instances-create", "no name"));
		failed = 1;
		return 0;
	}
	if ((why = ip_label_why(name)) != NULL) {
		ip_warn("a name object: not a DNS label: %s", why);
		ip_emit(ip_error_obj(item, "instances-create", "not a DNS label: %s", why));
		failed = 1;
		return 0;
	}
	if (ns && strcmp(ns, run.ns) != 0) {
		ip_warn("%s: belongs to another namespace, not created", name);
		ip_emit(ip_error_obj(item, "instances-create",
		    "belongs to namespace %s, not %s", ns, run.ns));
		failed = 1;
		return 0;
	}
	inst = ip_instance_name(run.ns, name);
	if (is_taken(inst)) {
		ip_warn("%s: instance %s already exists, not created", name, inst);
		ip_emit(ip_error_obj(item, "instances-create",
		    "instance %s already exists in the namespace", inst));
		free(inst);
		failed = 1;
		return 0;
	}
	taken = jv_object_set(taken, jv_string(inst), jv_true());
	if (tmpl) {
		ud = ip_render(run.cfg, tmpl, tlen, jv_copy(item), &udlen, &err);
		if (ud == NULL) {
			ip_warn("%s: user data: %s", name, err ? err : "cannot render");
			ip_emit(ip_error_obj(item, "instances-create", "user data: %s",
			    err ? err : "cannot render"));
			free(err);
			free(inst);
			failed = 1;
			return 0;
		}
		if (B64_LEN(udlen) > USER_DATA_MAX) {
			ip_warn("%s: user data is %zu bytes, more than nova takes", name, udlen);
			ip_emit(ip_error_obj(item, "instances-create",
			    "user data is %zu bytes; nova takes at most %d bytes of base64 "
			    "(%d bytes before encoding)", udlen, USER_DATA_MAX,
			    USER_DATA_MAX / 4 * 3));
			free(ud);
			free(inst);
			failed = 1;
			return 0;
		}
	} else
		ud = NULL;
	j = ip_xcalloc(1, sizeof(*j));
	j->item = item;
	j->instance = inst;
	inflight++;
	prov->create(pdata, j, ud, udlen);
	return 1;
}

/* delete: an "instance" or a "server" object in. */
static int
start_delete(jv item, int dry)
{
	jv inst;
	const char *iname, *id, *ns, *name;
	struct ip_job *j;

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
	if (iname == NULL || ip_name_of_instance(run.ns, iname) == NULL ||
	    (ns && strcmp(ns, run.ns) != 0)) {
		ip_warn("%s: not an instance of namespace %s, not deleted",
		    name ? name : "(no name)", run.ns);
		ip_emit(ip_error_obj(item, "instances-delete",
		    "not an instance of namespace %s: not deleted", run.ns));
		jv_free(inst);
		failed = 1;
		return 0;
	}
	if (id == NULL || *id == '\0') {
		ip_warn("%s: no server id, not deleted", iname);
		ip_emit(ip_error_obj(item, "instances-delete", "no server id: not deleted"));
		jv_free(inst);
		failed = 1;
		return 0;
	}
	if (dry) {
		jv d = ip_get_obj(item, "deleted");
		ip_info("%s: would delete instance %s (%s)", name ? name : iname, iname, id);
		if (jv_get_kind(d) != JV_KIND_OBJECT) {
			jv_free(d);
			d = jv_object();
		}
		d = jv_object_set(d, jv_string("instance"), jv_true());
		item = jv_object_set(item, jv_string("deleted"), d);
		ip_emit(jv_object_set(item, jv_string("dry_run"), jv_true()));
		jv_free(inst);
		return 0;
	}
	j = ip_xcalloc(1, sizeof(*j));
	j->instance = ip_xstrdup(iname);
	j->id = ip_xstrdup(id);
	jv_free(inst);
	j->item = item;
	inflight++;
	prov->delete(pdata, j);
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		IP_COMMON_LONG,
		{ "jobs", required_argument, NULL, 'j' },
		{ "parallel", required_argument, NULL, 'j' },	/* its first name */
		{ "timeout", required_argument, NULL, 't' },
		{ "user-data", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "wait", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct ip_http_opts ho = { 0 };
	const char *cmd, *input = "-", *udfile = NULL, *env;
	char *tmpl = NULL;
	size_t tlen = 0;
	long parallel = 8, timeout = 600;
	int c, dry = 0, wait = 0, eof = 0;
	struct ip_config *cfg;
	struct ip_reader *rd;

	ip_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, IP_COMMON_SHORT "j:t:u:nw", longopts, NULL)) != -1) {
		if (ip_cli_common(c, optarg, usage))
			continue;
		switch (c) {
		case 'j':
			parallel = ip_cli_long("-j", optarg, 1, 256);
			break;
		case 't':
			timeout = ip_cli_long("-t", optarg, 1, 86400);
			break;
		case 'u':
			udfile = optarg;
			break;
		case 'n':
			dry = 1;
			break;
		case 'w':
			wait = 1;
			break;
		default:
			ip_usage_error(usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		ip_usage_error(usage);
	cmd = argv[0];
	if (strcmp(cmd, "ls") == 0) {
		if (argc != 1 || dry || wait || udfile)
			ip_usage_error(usage);
	} else if (strcmp(cmd, "create") == 0) {
		if (argc > 2 || dry || wait)
			ip_usage_error(usage);
	} else if (strcmp(cmd, "delete") == 0) {
		if (argc > 2 || udfile)
			ip_usage_error(usage);
	} else {
		ip_warn("unknown command (expected ls, create or delete)");
		ip_usage_error(usage);
	}
	if (argc == 2)
		input = argv[1];

	cfg = ip_config_load(ip_config_path);
	for (int i = 0; providers[i]; i++)
		if (strcmp(providers[i]->name, cfg->instances_provider) == 0)
			prov = providers[i];
	if (prov == NULL)
		ip_config_die(cfg, "instances.provider", "not supported by ip-instances");
	if (udfile) {
		tmpl = slurp(udfile, &tlen);
		if (B64_LEN(tlen) > USER_DATA_MAX)
			ip_die(IP_EXIT_FATAL, "%s: %zu bytes is too big for user data "
			    "(nova takes %d bytes of base64, %d bytes before encoding)",
			    udfile, tlen, USER_DATA_MAX, USER_DATA_MAX / 4 * 3);
		/* The web client's checksum, made here once for every server. */
		if (strcmp(cmd, "create") == 0 && memmem(tmpl, tlen, "@ELEMENT_SHA256@", 16)) {
			char *perr;
			const char *v = ip_element_version(cfg);
			if (ip_render_pin_element(cfg, &perr) < 0) {
				if (ip_element_is_riot(v))
					ip_die(IP_EXIT_FATAL, "cannot fetch the web client %s for its "
					    "SHA-256 (%s); its signing key expired in 2021: set "
					    "general.element_sha256", v, perr);
				ip_warn("cannot fetch the web client %s for its SHA-256 (%s): "
				    "each server checks its signature instead", v, perr);
				free(perr);
			}
		}
	}
	rd = ip_reader_open(strcmp(cmd, "ls") ? input : "/dev/null");

	ho.parallel = (int)parallel;
	ho.ca_file = ip_config_str_or(cfg, "instances.args.ca_file", NULL);
	run.cfg = cfg;
	run.ns = cfg->namespace;
	run.timeout_ms = timeout * 1000;
	run.poll_ms = (env = getenv("IP_POLL_MS")) && atol(env) > 0 ? atol(env) : 2000;
	run.wait = wait;
	taken = jv_object();

	if (strcmp(cmd, "delete") == 0 && dry) {
		/* sends nothing at all, not even authentication */
		jv item;
		int k;
		while ((k = ip_reader_next(rd, &item)) != IP_EOF) {
			if (k != IP_ITEM)
				continue;
			if (ip_get_type(item, "instance") || ip_get_type(item, "server"))
				start_delete(item, 1);
			else
				ip_emit(item);
		}
		goto out;
	}

	run.http = ip_http_new(&ho);
	pdata = prov->open(&run);
	if (strcmp(cmd, "ls") == 0) {
		if (prov->ls(pdata, emit_each, NULL) < 0)
			failed = 1;
		goto out;
	}
	if (strcmp(cmd, "create") == 0) {
		/* names taken by anyone, even servers tagged for another namespace */
		run.ls_all = 1;
		if (prov->ls(pdata, collect_each, NULL) < 0)
			ip_die(IP_EXIT_ITEM, "cannot list the namespace's instances: nothing created");
		run.ls_all = 0;
	}

	ip_reader_nonblock(rd);
	/* A first Ctrl-C: take no new item, see the ones in flight through. */
	ip_catch_interrupt();
	while (!eof || inflight > 0 || ip_http_pending(run.http) > 0) {
		int ready = 0;
		if (ip_interrupted && !eof) {
			eof = 1;
			ip_warn("interrupted: no new item is taken; %d in flight go on "
			    "(interrupt again to stop now)", inflight);
		}
		while (!eof && inflight < parallel) {
			jv item;
			int k = ip_reader_next(rd, &item);
			if (k == IP_EOF)
				eof = 1;
			if (k == IP_BAD)
				continue;
			if (k != IP_ITEM)
				break;
			if (strcmp(cmd, "create") == 0) {
				if (ip_get_type(item, "name"))
					start_create(item, tmpl, tlen);
				else
					ip_emit(item);
			} else if (ip_get_type(item, "instance") || ip_get_type(item, "server"))
				start_delete(item, 0);
			else
				ip_emit(item);
		}
		ip_http_step(run.http, !eof && inflight < parallel ? ip_reader_fd(rd) : -1,
		    &ready, 1000);
	}
out:
	if (ip_reader_errors(rd) > 0)
		failed = 1;
	ip_reader_close(rd);
	if (pdata)
		prov->close(pdata);
	ip_http_free(run.http);
	jv_free(taken);
	free(tmpl);
	ip_config_free(cfg);
	return failed ? IP_EXIT_ITEM : IP_EXIT_OK;
}
