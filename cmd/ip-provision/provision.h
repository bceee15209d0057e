/* provision: ip-provision's work, shared by its files (main.c: options;
 * provision.c: the run, the web check, the results; remote.c: what a
 * worker thread does over SSH). */
#ifndef IP_PROVISION_H
#define IP_PROVISION_H
#include <pthread.h>
#include <stddef.h>
#include <jv.h>

#include "config.h"
#include "http.h"

/* Everything a worker reads: plain C strings, set before any thread runs. */
struct prov_opts {
	const struct ip_config *cfg;	/* its C strings only (see ip_password_for) */
	const char *user, *keyfile, *known_hosts, *log_dir;
	const char *web_scheme, *ca_file, *setup_dir, *command;
	char *script;
	size_t script_len;
	int jobs, ssh_port, web_port, wait_setup, cloud_init, web, sudo;
	long wait_ms, setup_s, script_s;
};

struct job {
	const struct prov_opts *o;
	jv item;		/* main thread only (jv is not thread-safe) */
	char *name, *domain, *addr;
	int id, ok;		/* ok: the SSH part went well */
	const char *step;
	char *msg, *log_path, *fp;
	long long t0;
	double t_ssh, t_setup, t_script, t_web, t_total;
	int script_status, cmd_status;
	long web_status;
	const char *dns;
	pthread_t th;
	int done_fd;		/* the worker writes id here when it ends */
	/* web check (main thread) */
	long long web_t0, web_deadline;
	long web_delay;
	int web_tries;
	char *web_url;
};

/* The worker thread: SSH, first-boot setup, script or command; then the
 * DNS state for the web check.  Writes j->id on j->done_fd at the end. */
void *prov_worker(void *arg);
/* Record why j failed (msg malloc'd); returns 0. */
int prov_fail(struct job *j, const char *step, char *msg);
double prov_secs(long long from);

/* Provision every server object of the input; the exit status. */
int prov_run(const struct ip_config *cfg, struct prov_opts *o);
/* --render: print each object's user data; the exit status. */
int prov_render(const struct ip_config *cfg, const char *template_path);

#endif
