/* provision: the run (the runner with the workers' done-pipe and the web
 * checks in one poll), the web check, and each server's result object. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "provision.h"
#include "render.h"
#include "runner.h"
#include "schema.h"
#include "server.h"
#include "stream.h"
#include "util.h"

struct prov_run {
	const struct ip_config *cfg;
	struct prov_opts *o;
	struct ip_http *http;	/* the web checks */
	struct ip_runner runner;
	int done_pipe[2];
	struct job **jobs;	/* by id */
	int njobs;
};

static jv
num(double v)
{
	return jv_number((double)(long long)(v * 1000 + 0.5) / 1000);
}

static void
finish(struct job *j)
{
	int ok = j->ok;

	j->t_total = prov_secs(j->t0);
	if (!ok)
		ip_item_fail(j->item, "provision", "%s: %s", j->step, j->msg);
	else {
		jv p = JV_OBJECT(jv_string("status"), jv_string("ok"),
		    jv_string("address"), jv_string(j->addr),
		    jv_string("host_key"), jv_string(j->fp));
		jv t = JV_OBJECT(jv_string("ssh"), num(j->t_ssh), jv_string("total"), num(j->t_total));
		if (j->o->command) {
			p = jv_object_set(p, jv_string("command"),
			    JV_OBJECT(jv_string("exit"), jv_number(j->cmd_status)));
			t = jv_object_set(t, jv_string("command"), num(j->t_script));
		} else {
			if (j->o->wait_setup)
				t = jv_object_set(t, jv_string("setup"), num(j->t_setup));
			if (j->o->script) {
				p = jv_object_set(p, jv_string("script"),
				    JV_OBJECT(jv_string("exit"), jv_number(j->script_status)));
				t = jv_object_set(t, jv_string("script"), num(j->t_script));
			}
			if (j->o->web) {
				p = jv_object_set(p, jv_string("web"), JV_OBJECT(
				    jv_string("status"), jv_number(j->web_status),
				    jv_string("dns"), jv_string(j->dns)));
				t = jv_object_set(t, jv_string("web"), num(j->t_web));
			}
		}
		p = jv_object_set(p, jv_string("seconds"), t);
		p = jv_object_set(p, jv_string("log"), j->log_path ? jv_string(j->log_path) : jv_null());
		ip_emit(jv_object_set(j->item, jv_string("provision"), p));
		ip_info("%s: provisioned in %.1f s", j->name, j->t_total);
	}
	free(j->name);
	free(j->domain);
	free(j->addr);
	free(j->msg);
	free(j->log_path);
	free(j->fp);
	free(j->web_url);
	free(j);
}

static void web_try(struct prov_run *p, struct job *j);

struct web_try {
	struct prov_run *p;
	struct job *j;
};

static void
web_retry(void *arg)
{
	struct web_try *t = arg;

	web_try(t->p, t->j);
	free(t);
}

/* One answer of the web server: 2xx/3xx ends the check; anything else is
 * tried again with backoff until the connectivity timeout ends. */
static void
web_done(struct ip_req *r)
{
	struct web_try *t = r->ud;
	struct prov_run *p = t->p;
	struct job *j = t->j;
	long long left = j->web_deadline - ip_now_ms();

	j->web_tries++;
	j->web_status = r->cc == CURLE_OK ? r->status : 0;
	if (r->cc == CURLE_OK && r->status >= 200 && r->status < 400) {
		j->t_web = prov_secs(j->web_t0);
		ip_info("%s: web server answers (HTTP %ld, DNS %s)", j->name, j->web_status,
		    j->dns);
	} else if (left > 0) {
		long ms = j->web_delay < left ? j->web_delay : (long)left;
		j->web_delay = ip_backoff_next(j->web_delay, 2, 1, 5000);
		ip_req_free(r);
		ip_http_timer(p->http, ms, web_retry, t);
		return;
	} else {
		j->ok = 0;
		if (r->cc != CURLE_OK)
			prov_fail(j, "web", ip_xasprintf("%s after %d tries: %s", j->web_url,
			    j->web_tries, *r->errbuf ? r->errbuf : curl_easy_strerror(r->cc)));
		else
			prov_fail(j, "web", ip_xasprintf("%s answered HTTP %ld", j->web_url,
			    j->web_status));
	}
	ip_req_free(r);
	free(t);
	finish(j);
	ip_runner_done(&p->runner);
}

/* The web server, reached at the server's own address with the domain
 * pinned (a stale negative DNS answer cannot stall us). */
static void
web_try(struct prov_run *p, struct job *j)
{
	struct web_try *t = ip_xcalloc(1, sizeof(*t));
	struct ip_req *r = ip_req_new("GET", j->web_url);

	t->p = p;
	t->j = j;
	ip_req_resolve(r, j->domain, j->o->web_port, j->addr);
	r->ud = t;
	r->done = web_done;
	ip_http_submit(p->http, r);
}

/* One server object in: a worker thread sees it through (1), or it is
 * failed at once (0). */
static int
start(void *ud, jv item)
{
	struct prov_run *p = ud;
	const char *name = ip_get_str(item, "name"), *domain = ip_get_str(item, "domain");
	char *addr = ip_server_address(item);
	sigset_t block, old;
	int e;

	if (!name || !domain || !addr) {
		ip_item_fail(item, "provision", "no %s to provision",
		    !name ? "name" : !domain ? "domain" : "address");
		free(addr);
		return 0;
	}
	struct job *j = ip_xcalloc(1, sizeof(*j));
	j->o = p->o;
	j->name = ip_xstrdup(name);
	j->domain = ip_xstrdup(domain);
	j->addr = addr;
	j->item = item;
	j->t0 = ip_now_ms();
	j->done_fd = p->done_pipe[1];
	j->id = p->njobs++;
	p->jobs = ip_xrealloc(p->jobs, p->njobs * sizeof(*p->jobs));
	p->jobs[j->id] = j;
	/* Signals go to the main thread only (workers block them). */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	e = pthread_create(&j->th, NULL, prov_worker, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		ip_die(IP_EXIT_FATAL, "cannot start a thread: %s", strerror(e));
	return 1;
}

/* A worker wrote its job's id on the done-pipe: check the web server, or
 * emit the result now. */
static void
reap(void *ud)
{
	struct prov_run *p = ud;
	struct job *j;
	int id;

	if (read(p->done_pipe[0], &id, sizeof(id)) != sizeof(id))
		return;
	j = p->jobs[id];
	pthread_join(j->th, NULL);
	p->jobs[id] = NULL;
	if (j->ok && j->o->web && !j->o->command) {
		j->web_t0 = ip_now_ms();
		j->web_deadline = j->web_t0 + j->o->wait_ms;
		j->web_delay = ip_backoff_first(1000);
		j->web_url = ip_xasprintf("%s://%s:%d/", j->o->web_scheme, j->domain,
		    j->o->web_port);
		web_try(p, j);
		return;
	}
	finish(j);
	ip_runner_done(&p->runner);
}

int
prov_run(const struct ip_config *cfg, struct prov_opts *o)
{
	static const char *const types[] = { "instance", "record", "server", NULL };
	struct ip_http_opts ho = { .parallel = o->jobs, .timeout_ms = 15000,
	    .connect_timeout_ms = 5000, .retries = -1, .ca_file = o->ca_file };
	struct prov_run p = { .cfg = cfg, .o = o };
	int rc;

	if (pipe(p.done_pipe) != 0)
		ip_die(IP_EXIT_FATAL, "pipe: %s", strerror(errno));
	p.http = ip_http_new(&ho);
	p.runner = (struct ip_runner){ .types = types, .jobs = o->jobs, .http = p.http,
	    .fd = p.done_pipe[0], .start = start, .ready = reap, .ud = &p };
	rc = ip_runner_run(&p.runner);
	free(p.jobs);
	close(p.done_pipe[0]);
	close(p.done_pipe[1]);
	ip_http_free(p.http);
	return rc;
}

int
prov_render(const struct ip_config *cfg, const char *tpath)
{
	size_t len, outlen;
	char *tmpl = ip_read_file(tpath, 16u << 20, &len), *err;
	struct ip_reader *r = ip_reader_open("-");
	int bad = 0, rc;
	jv item;

	while ((rc = ip_reader_next(r, &item)) != IP_EOF) {
		if (rc != IP_ITEM)
			continue;
		char *out = ip_render(cfg, tmpl, len, item, NULL, &outlen, &err);
		if (!out) {
			ip_warn("%s: %s", ip_reader_where(r), err);
			free(err);
			bad = 1;
			continue;
		}
		ip_write(out, outlen);
		free(out);
	}
	bad |= ip_reader_errors(r) > 0;
	ip_reader_close(r);
	free(tmpl);
	return bad ? IP_EXIT_ITEM : IP_EXIT_OK;
}
