/* ip-check: one server's checks, and the run of many.  The web checks are
 * requests on the runner's libcurl multi loop, pinned to the instance's
 * address (ip_req_resolve) so that DNS trouble shows in the dns check
 * alone; DNS (libresolv) and SSH (libssh2) block, so each runs in a thread
 * that only sees C strings and writes its part on the runner's extra fd. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "check.h"
#include "log.h"
#include "runner.h"
#include "server.h"
#include "ssh.h"
#include "stream.h"
#include "util.h"

/* The web requests; "/" is both the https and the element check's page. */
enum { W_ROOT, W_CONFIG, W_VERSIONS, W_WK_SERVER, W_WK_CLIENT, W_FED, W_KEYS, W_N };
static const char *const paths[W_N] = {
	"/", "/config.json", "/_matrix/client/versions", "/.well-known/matrix/server",
	"/.well-known/matrix/client", "/_matrix/federation/v1/version", "/_matrix/key/v2/server",
};

/* The run: the runner, its HTTP loop, the threads' done-pipe. */
struct ck_run {
	const struct ck_opts *o;
	struct ip_http *http;
	struct ip_runner runner;
	int pipe[2];
	int not_federated;
};

struct ck_server;

/* A blocking check in its thread: inputs and outputs are plain C. */
struct part {
	struct ck_server *s;
	pthread_t th;
	int ok;			/* 1, 0 */
	char *detail;
	long ms;
	char fp[64];		/* ssh: the key seen */
	const char *type;
};

struct ck_server {
	jv item;
	char *name, *domain, *addr;
	const struct ck_opts *o;
	struct ck_run *run;
	int pending, counted;	/* counted: in flight for the runner */
	struct ip_req *req[W_N];
	long req_ms[W_N];
	struct part dns, ssh;
};

static void
part_set(struct part *p, int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(p->detail);
	p->detail = ip_vxasprintf(fmt, ap);
	va_end(ap);
	p->ok = ok;
}

static void finish(struct ck_server *s);

static void
notify(struct part *p, long long t0)
{
	p->ms = (long)(ip_now_ms() - t0);
	ssize_t w = write(p->s->run->pipe[1], &p, sizeof(p));	/* < PIPE_BUF: atomic */
	(void)w;
}

/* The domain's A (or AAAA) records, from --nameserver or the system's. */
static void *
dns_thread(void *arg)
{
	struct part *p = arg;
	struct ck_server *s = p->s;
	long long t0 = ip_now_ms();
	struct __res_state st;
	unsigned char ans[4096];
	int v6 = strchr(s->addr, ':') != NULL, n;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0) {
		part_set(p, 0, "the resolver could not start");
		notify(p, t0);
		return NULL;
	}
	if (s->o->ns.sin_family == AF_INET) {
		st.nsaddr_list[0] = s->o->ns;
		st.nscount = 1;
	}
	st.retrans = (int)((s->o->timeout_ms + 999) / 1000);
	st.retry = 1;
	st.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	n = res_nquery(&st, s->domain, ns_c_in, v6 ? ns_t_aaaa : ns_t_a, ans, sizeof(ans));
	if (n < 0) {
		switch (st.res_h_errno) {
		case HOST_NOT_FOUND: part_set(p, 0, "%s does not exist (NXDOMAIN)", s->domain); break;
		case NO_DATA: part_set(p, 0, "%s has no %s record", s->domain, v6 ? "AAAA" : "A"); break;
		default: part_set(p, 0, "no answer from the name server (timeout or SERVFAIL)");
		}
		res_nclose(&st);
		notify(p, t0);
		return NULL;
	}
	ns_msg msg;
	char seen[256] = "";
	int found = 0;
	if (ns_initparse(ans, n, &msg) != 0) {
		part_set(p, 0, "the name server's answer cannot be parsed");
		goto out;
	}
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		ns_rr rr;
		char buf[INET6_ADDRSTRLEN];
		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0)
			break;
		if (ns_rr_type(rr) != (v6 ? ns_t_aaaa : ns_t_a) ||
		    ns_rr_rdlen(rr) != (v6 ? 16 : 4) ||
		    !inet_ntop(v6 ? AF_INET6 : AF_INET, ns_rr_rdata(rr), buf, sizeof(buf)))
			continue;
		if (strcmp(buf, s->addr) == 0)
			found = 1;
		if (strlen(seen) + strlen(buf) + 2 < sizeof(seen))
			snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s",
			    *seen ? " " : "", buf);
	}
	if (found)
		part_set(p, 1, "%s", s->addr);
	else if (*seen)
		part_set(p, 0, "resolves to %s, not %s", seen, s->addr);
	else
		part_set(p, 0, "%s has no %s record", s->domain, v6 ? "AAAA" : "A");
out:
	res_nclose(&st);
	notify(p, t0);
	return NULL;
}

/* An SSH banner and the key exchange; the key against ip-provision's.
 * The banner is the server's own text: res() makes it printable. */
static void *
ssh_thread(void *arg)
{
	struct part *p = arg;
	struct ck_server *s = p->s;
	long long t0 = ip_now_ms();
	char *banner = NULL, *err = NULL;
	struct ip_host_key k;

	if (ip_ssh_probe(s->addr, s->o->ssh_port, s->o->timeout_ms, &banner, &p->type,
	    p->fp, &err) != IP_SSH_OK) {
		part_set(p, 0, "port %d: %s", s->o->ssh_port, err);
		free(err);
		notify(p, t0);
		return NULL;
	}
	int rc = s->o->known_hosts ? ip_known_host_key(s->o->known_hosts, s->addr,
	    s->o->ssh_port, &k, &err) : 0;
	if (rc < 0) {
		part_set(p, 0, "%s; known hosts: %s", banner, err);
		free(err);
	} else if (rc == 0)
		part_set(p, 1, "%s; %s %s (no key recorded to compare)", banner, p->type, p->fp);
	else if (strcmp(k.type, p->type) == 0 && strcmp(k.fp, p->fp) == 0)
		part_set(p, 1, "%s; %s %s as recorded", banner, p->type, p->fp);
	else
		part_set(p, 0, "host key changed: %s %s, recorded %s %s", p->type, p->fp,
		    k.type, k.fp);
	free(banner);
	notify(p, t0);
	return NULL;
}

static void
web_done(struct ip_req *r)
{
	struct ck_server *s = r->ud;
	curl_off_t us = 0;

	for (int i = 0; i < W_N; i++)
		if (s->req[i] == r) {
			curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME_T, &us);
			s->req_ms[i] = (long)(us / 1000);
		}
	if (--s->pending == 0)
		finish(s);
}

static void
start_thread(struct ck_server *s, struct part *p, void *(*fn)(void *))
{
	sigset_t block, old;
	int e;

	p->s = s;
	s->pending++;
	/* signals are the main thread's (Ctrl-C) */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	e = pthread_create(&p->th, NULL, fn, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		ip_die(IP_EXIT_FATAL, "cannot start a thread: %s", strerror(e));
}

/* The runner's start: every check of one server at once. */
static int
start(void *ud, jv item)
{
	struct ck_run *run = ud;
	const struct ck_opts *o = run->o;
	struct ck_server *s = ip_xcalloc(1, sizeof(*s));
	const char *name = ip_get_str(item, "name"), *domain = ip_get_str(item, "domain");

	s->item = item;
	s->o = o;
	s->run = run;
	s->name = ip_xstrdup(name ? name : "");
	s->domain = domain ? ip_xstrdup(domain) : NULL;
	s->addr = ip_server_address(item);
	s->pending = 1;		/* until everything is started */
	if (s->domain && s->addr) {
		start_thread(s, &s->dns, dns_thread);
		start_thread(s, &s->ssh, ssh_thread);
		for (int i = 0; i < W_N; i++) {
			char *url = o->web_port == 443 ?
			    ip_xasprintf("https://%s%s", s->domain, paths[i]) :
			    ip_xasprintf("https://%s:%d%s", s->domain, o->web_port, paths[i]);
			struct ip_req *r = ip_req_new("GET", url);
			free(url);
			r->ud = s;
			ip_req_resolve(r, s->domain, o->web_port, s->addr);
			r->certinfo = i == W_ROOT;
			/* one TLS handshake per server: the others wait for its HTTP/2 */
			r->pipewait = i != W_ROOT;
			r->done = web_done;
			/* a connection of its own: the certificate is read from it */
			r->fresh_connect = i == W_ROOT;
			if (i >= W_VERSIONS)
				ip_req_header(r, "Accept: application/json");
			s->req[i] = r;
			s->pending++;
			ip_http_submit(run->http, r);
		}
	}
	if (--s->pending == 0) {
		finish(s);	/* no domain or no address: nothing to wait for */
		return 0;
	}
	s->counted = 1;
	return 1;
}

/* The runner's ready: threads wrote their parts on the done-pipe. */
static void
reap(void *ud)
{
	struct ck_run *run = ud;
	struct part *p;

	while (read(run->pipe[0], &p, sizeof(p)) == sizeof(p)) {
		pthread_join(p->th, NULL);
		if (--p->s->pending == 0)
			finish(p->s);
	}
}

/* {"ok": true|false|null, "detail": "...", "ms": N} */
static jv
res(int ok, long ms, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *raw = ip_vxasprintf(fmt, ap);
	va_end(ap);
	/* answers from the attendee's server go to terminals */
	char *d = ip_sanitize(raw);
	free(raw);
	jv v = JV_OBJECT(jv_string("ok"), ok < 0 ? jv_null() : jv_bool(ok),
	    jv_string("detail"), jv_string(d), jv_string("ms"), jv_number(ms));
	free(d);
	return v;
}

static jv
json_of(const struct ip_req *r)
{
	jv v = ip_req_json(r);

	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

/* A string at a path of keys in a JSON object, or NULL (borrowed from v). */
static const char *
str_at(jv v, const char *k1, const char *k2, const char *k3)
{
	const char *ks[3] = { k1, k2, k3 };
	jv cur = jv_copy(v);
	const char *out = NULL;

	for (int i = 0; i < 3 && ks[i]; i++) {
		if (jv_get_kind(cur) != JV_KIND_OBJECT) {
			jv_free(cur);
			return NULL;
		}
		cur = jv_object_get(cur, jv_string(ks[i]));
	}
	if (jv_get_kind(cur) == JV_KIND_STRING)
		out = jv_string_value(cur);	/* still held by v */
	jv_free(cur);
	return out;
}

static int
ok2xx(const struct ip_req *r)
{
	return r->cc == CURLE_OK && r->status >= 200 && r->status < 300;
}

/* "HTTP 404", "Connection timed out after..." */
static const char *
why(const struct ip_req *r)
{
	return ip_req_error(r);
}

static jv
check_https(struct ck_server *s, int *tls)
{
	struct ip_req *r = s->req[W_ROOT];
	struct curl_certinfo *ci = NULL;
	char issuer[256] = "?";
	double days = -1;

	*tls = r->cc == CURLE_OK;
	if (!*tls)
		return res(0, s->req_ms[W_ROOT], "%s", why(r));
	if (curl_easy_getinfo(r->easy, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci &&
	    ci->num_of_certs > 0) {
		for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next) {
			if (strncasecmp(l->data, "Issuer:", 7) == 0) {
				const char *cn = strstr(l->data, "CN = ");
				const char *v = cn ? cn + 5 : l->data + 7;
				snprintf(issuer, sizeof(issuer), "%s", v);
				char *comma = strchr(issuer, ',');
				if (cn && comma)
					*comma = '\0';
			} else if (strncasecmp(l->data, "Expire date:", 12) == 0) {
				time_t t = curl_getdate(l->data + 12, NULL);
				if (t > 0)
					days = difftime(t, time(NULL)) / 86400.0;
			}
		}
	}
	jv v = res(1, s->req_ms[W_ROOT], "certificate for %s by %s, %.1f days left",
	    s->domain, issuer, days);
	v = jv_object_set(v, jv_string("issuer"), jv_string(issuer));
	return jv_object_set(v, jv_string("days_left"), jv_number((double)(long)(days * 10) / 10));
}

static int
base_url_ok(struct ck_server *s, const char *u)
{
	char *a = ip_xasprintf("https://%s", s->domain);
	char *b = ip_xasprintf("https://%s:%d", s->domain, s->o->web_port);
	size_t n = u ? strlen(u) : 0;
	int ok;

	while (n > 0 && u[n - 1] == '/')
		n--;
	ok = u && ((strlen(a) == n && strncmp(u, a, n) == 0) ||
	    (strlen(b) == n && strncmp(u, b, n) == 0));
	free(a);
	free(b);
	return ok;
}

static jv
check_element(struct ck_server *s)
{
	struct ip_req *root = s->req[W_ROOT], *cf = s->req[W_CONFIG];
	long ms = s->req_ms[W_ROOT] > s->req_ms[W_CONFIG] ? s->req_ms[W_ROOT] : s->req_ms[W_CONFIG];

	if (!ok2xx(root))
		return res(0, ms, "/: %s", why(root));
	if (!ok2xx(cf))
		return res(0, ms, "/config.json: %s", why(cf));
	jv c = json_of(cf);
	if (!jv_is_valid(c))
		return res(0, ms, "/config.json is not a JSON object");
	const char *u = str_at(c, "default_server_config", "m.homeserver", "base_url");
	jv v = !u ? res(0, ms, "/config.json has no default_server_config.m.homeserver.base_url") :
	    base_url_ok(s, u) ? res(1, ms, "base_url %s", u) :
	    res(0, ms, "base_url is %s, not this server", u);
	jv_free(c);
	return v;
}

/* Nothing behind the web server's /_matrix yet: its own 502 (nothing
 * listens on the homeserver port) or a file server's 404 page. */
static int
no_homeserver(const struct ip_req *r)
{
	if (r->cc != CURLE_OK)
		return 0;
	if ((r->status == 502 || r->status == 503 || r->status == 504) && r->resp_len == 0)
		return 1;
	if (r->status != 404)
		return 0;
	jv v = ip_req_json(r);
	int json = jv_is_valid(v);
	jv_free(v);
	return !json;
}

static jv
check_client(struct ck_server *s, int *present)
{
	struct ip_req *r = s->req[W_VERSIONS];
	long ms = s->req_ms[W_VERSIONS];

	*present = 0;
	if (no_homeserver(r))
		return res(-1, ms, "no homeserver behind the web server yet (%s)", why(r));
	*present = 1;	/* a broken or hung one still has its federation checked */
	if (!ok2xx(r))
		return res(0, ms, "%s", why(r));
	jv j = json_of(r), vs = jv_invalid();
	if (jv_is_valid(j))
		vs = jv_object_get(jv_copy(j), jv_string("versions"));
	jv out;
	int n = jv_get_kind(vs) == JV_KIND_ARRAY ? jv_array_length(jv_copy(vs)) : -1;
	if (n <= 0)
		out = res(0, ms, "no versions array in the answer");
	else {
		jv first = jv_array_get(jv_copy(vs), 0), last = jv_array_get(jv_copy(vs), n - 1);
		out = res(1, ms, "versions %s .. %s",
		    jv_get_kind(first) == JV_KIND_STRING ? jv_string_value(first) : "?",
		    jv_get_kind(last) == JV_KIND_STRING ? jv_string_value(last) : "?");
		jv_free(first);
		jv_free(last);
	}
	jv_free(vs);
	jv_free(j);
	return out;
}

static jv
check_well_known(struct ck_server *s)
{
	struct ip_req *sv = s->req[W_WK_SERVER], *cl = s->req[W_WK_CLIENT];
	long ms = s->req_ms[W_WK_SERVER] > s->req_ms[W_WK_CLIENT] ?
	    s->req_ms[W_WK_SERVER] : s->req_ms[W_WK_CLIENT];
	jv a, b, out;

	if (!ok2xx(sv))
		return res(0, ms, "matrix/server: %s", why(sv));
	if (!ok2xx(cl))
		return res(0, ms, "matrix/client: %s", why(cl));
	a = json_of(sv);
	b = json_of(cl);
	const char *ms_ = jv_is_valid(a) ? str_at(a, "m.server", NULL, NULL) : NULL;
	const char *bu = jv_is_valid(b) ? str_at(b, "m.homeserver", "base_url", NULL) : NULL;
	const char *acao = ip_req_resp_header(cl, "access-control-allow-origin");
	if (!jv_is_valid(a))
		out = res(0, ms, "matrix/server is not a JSON object");
	else if (!ms_)
		out = res(0, ms, "matrix/server has no m.server");
	else if (!jv_is_valid(b))
		out = res(0, ms, "matrix/client is not a JSON object");
	else if (!bu)
		out = res(0, ms, "matrix/client has no m.homeserver.base_url");
	else if (!base_url_ok(s, bu))
		out = res(0, ms, "matrix/client: base_url is %s, not this server", bu);
	else if (!acao || strcmp(acao, "*") != 0)
		out = res(0, ms, "matrix/client: no Access-Control-Allow-Origin: * (web clients cannot read it)");
	else
		out = res(1, ms, "m.server %s, base_url %s", ms_, bu);
	jv_free(a);
	jv_free(b);
	return out;
}

static jv
check_federation(struct ck_server *s)
{
	struct ip_req *r = s->req[W_FED];
	long ms = s->req_ms[W_FED];

	if (!ok2xx(r))
		return res(0, ms, "%s", why(r));
	jv j = json_of(r);
	const char *n = jv_is_valid(j) ? str_at(j, "server", "name", NULL) : NULL;
	const char *v = jv_is_valid(j) ? str_at(j, "server", "version", NULL) : NULL;
	jv out = n && v ? res(1, ms, "%s %s", n, v) :
	    res(0, ms, "no server.name and server.version in the answer");
	if (n && v)
		out = jv_object_set(out, jv_string("server"), JV_OBJECT(jv_string("name"),
		    jv_string(n), jv_string("version"), jv_string(v)));
	jv_free(j);
	return out;
}

/* Matrix's unpadded base64 to bytes; -1 when it is not base64 or too long. */
static int
unbase64(const char *s, unsigned char *out, size_t cap)
{
	size_t n = strlen(s);
	char buf[256];
	int len;

	if (n == 0 || n + 3 >= sizeof(buf) || (n + 3) / 4 * 3 > cap)
		return -1;
	memcpy(buf, s, n);
	while (n % 4)
		buf[n++] = '=';
	buf[n] = '\0';
	if ((len = EVP_DecodeBlock(out, (unsigned char *)buf, (int)n)) < 0)
		return -1;
	for (size_t i = n; i > 0 && buf[i - 1] == '='; i--)
		len--;
	return len;
}

/* The key's own ed25519 signature over its canonical JSON (sorted keys, no
 * spaces; without signatures and unsigned): 1 verified, 0 not, -1 none. */
static int
verify_self_signature(jv j, const char *domain, char *kid, size_t kidlen)
{
	jv sigs = jv_object_get(jv_copy(j), jv_string("signatures")), mine = jv_invalid();
	jv keys = jv_object_get(jv_copy(j), jv_string("verify_keys"));
	int rc = -1;

	if (jv_get_kind(sigs) == JV_KIND_OBJECT)
		mine = jv_object_get(jv_copy(sigs), jv_string(domain));
	if (jv_get_kind(mine) != JV_KIND_OBJECT || jv_get_kind(keys) != JV_KIND_OBJECT)
		goto out;
	jv body = jv_object_delete(jv_object_delete(jv_copy(j), jv_string("signatures")),
	    jv_string("unsigned"));
	jv canon = jv_dump_string(body, JV_PRINT_SORTED);
	jv_object_foreach(mine, id, sig) {
		jv key = jv_object_get(jv_copy(keys), jv_copy(id));
		const char *k = str_at(key, "key", NULL, NULL);
		unsigned char raw[64], sg[96];
		if (rc != 1 && strncmp(jv_string_value(id), "ed25519:", 8) == 0 && k &&
		    jv_get_kind(sig) == JV_KIND_STRING &&
		    unbase64(k, raw, sizeof(raw)) == 32 &&
		    unbase64(jv_string_value(sig), sg, sizeof(sg)) == 64) {
			EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32);
			EVP_MD_CTX *ctx = EVP_MD_CTX_new();
			rc = pk && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1 &&
			    EVP_DigestVerify(ctx, sg, 64, (const unsigned char *)jv_string_value(canon),
			    jv_string_length_bytes(jv_copy(canon))) == 1;
			snprintf(kid, kidlen, "%s", jv_string_value(id));
			EVP_MD_CTX_free(ctx);
			EVP_PKEY_free(pk);
		}
		jv_free(key);
		jv_free(id);
		jv_free(sig);
	}
	jv_free(canon);
out:
	jv_free(mine);
	jv_free(sigs);
	jv_free(keys);
	return rc;
}

static jv
check_keys(struct ck_server *s)
{
	struct ip_req *r = s->req[W_KEYS];
	long ms = s->req_ms[W_KEYS];
	char kid[128] = "";
	jv out;

	if (!ok2xx(r))
		return res(0, ms, "%s", why(r));
	jv j = json_of(r);
	if (!jv_is_valid(j))
		return res(0, ms, "the answer is not a JSON object");
	const char *sn = str_at(j, "server_name", NULL, NULL);
	jv vk = jv_object_get(jv_copy(j), jv_string("verify_keys"));
	jv vu = jv_object_get(jv_copy(j), jv_string("valid_until_ts"));
	double until = jv_get_kind(vu) == JV_KIND_NUMBER ? jv_number_value(vu) : 0;
	double now = (double)time(NULL) * 1000.0;
	int sig;
	if (!sn || strcmp(sn, s->domain) != 0)
		out = res(0, ms, "server_name is %s, not %s", sn ? sn : "missing", s->domain);
	else if (jv_get_kind(vk) != JV_KIND_OBJECT || jv_object_length(jv_copy(vk)) == 0)
		out = res(0, ms, "no verify_keys");
	else if (until <= now)
		out = res(0, ms, "expired: valid_until_ts is %.0f s in the past", (now - until) / 1000);
	else if ((sig = verify_self_signature(j, s->domain, kid, sizeof(kid))) != 1)
		out = res(0, ms, sig < 0 ? "no ed25519 signature by %s" :
		    "the signature by %s does not verify", sig < 0 ? s->domain : kid);
	else
		out = res(1, ms, "%s signed, valid %.1f more days", kid, (until - now) / 86400000.0);
	jv_free(vk);
	jv_free(vu);
	jv_free(j);
	return out;
}

static int
is_ok(jv c, const char *k)
{
	jv v = jv_object_get(jv_object_get(jv_copy(c), jv_string(k)), jv_string("ok"));
	int ok = jv_get_kind(v) == JV_KIND_TRUE;

	jv_free(v);
	return ok;
}

/* The furthest stage whose checks pass (federation: others must find it). */
static const char *
stage_of(jv c)
{
	if (is_ok(c, "federation") && is_ok(c, "keys") && is_ok(c, "well_known") && is_ok(c, "dns"))
		return "federation";
	if (is_ok(c, "client_api"))
		return "homeserver";
	if (is_ok(c, "element"))
		return "element";
	if (is_ok(c, "https"))
		return "web";
	if (is_ok(c, "ssh"))
		return "ssh";
	if (is_ok(c, "dns"))
		return "dns";
	return "none";
}

static void
finish(struct ck_server *s)
{
	static const char *const web[] = { "https", "element", "client_api", "well_known",
	    "federation", "keys" };
	jv c = jv_object();
	int tls, present;

	if (!s->domain || !s->addr) {
		const char *why_ = !s->domain ? "no domain" : "no address";
		c = jv_object_set(c, jv_string("dns"), res(-1, 0, "%s", why_));
		c = jv_object_set(c, jv_string("ssh"), res(-1, 0, "%s", why_));
		for (size_t i = 0; i < sizeof(web) / sizeof(web[0]); i++)
			c = jv_object_set(c, jv_string(web[i]), res(-1, 0, "%s", why_));
	} else {
		c = jv_object_set(c, jv_string("dns"), res(s->dns.ok, s->dns.ms, "%s", s->dns.detail));
		c = jv_object_set(c, jv_string("ssh"), res(s->ssh.ok, s->ssh.ms, "%s", s->ssh.detail));
		c = jv_object_set(c, jv_string("https"), check_https(s, &tls));
		if (!tls) {
			for (size_t i = 1; i < sizeof(web) / sizeof(web[0]); i++)
				c = jv_object_set(c, jv_string(web[i]), res(-1, 0, "no HTTPS"));
		} else {
			c = jv_object_set(c, jv_string("element"), check_element(s));
			c = jv_object_set(c, jv_string("client_api"), check_client(s, &present));
			c = jv_object_set(c, jv_string("well_known"), check_well_known(s));
			if (!present) {
				c = jv_object_set(c, jv_string("federation"), res(-1, 0, "no homeserver yet"));
				c = jv_object_set(c, jv_string("keys"), res(-1, 0, "no homeserver yet"));
			} else {
				c = jv_object_set(c, jv_string("federation"), check_federation(s));
				c = jv_object_set(c, jv_string("keys"), check_keys(s));
			}
		}
	}
	const char *stage = stage_of(c);
	c = jv_object_set(c, jv_string("stage"), jv_string(stage));
	ip_debug("%s: stage %s", s->name, stage);
	if (strcmp(stage, "federation") != 0)
		s->run->not_federated = 1;
	ip_emit(jv_object_set(s->item, jv_string("check"), c));
	if (s->counted)
		ip_runner_done(&s->run->runner);
	for (int i = 0; i < W_N; i++)
		ip_req_free(s->req[i]);
	free(s->dns.detail);
	free(s->ssh.detail);
	free(s->name);
	free(s->domain);
	free(s->addr);
	free(s);
}

int
ck_run(const struct ck_opts *o, const char *input)
{
	static const char *const types[] = { "server", NULL };
	/* Each server has 7 requests in flight at once. */
	struct ip_http_opts ho = { .parallel = o->jobs * 7 > 512 ? 512 : o->jobs * 7,
	    .timeout_ms = o->timeout_ms, .connect_timeout_ms = o->timeout_ms,
	    .retries = -1, .ca_file = o->ca_file };
	struct ck_run run = { .o = o };
	int rc;

	if (pipe2(run.pipe, O_CLOEXEC) != 0)
		ip_die(IP_EXIT_FATAL, "pipe: %s", strerror(errno));
	fcntl(run.pipe[0], F_SETFL, fcntl(run.pipe[0], F_GETFL) | O_NONBLOCK);
	ip_ssh_global_init();
	run.http = ip_http_new(&ho);
	run.runner = (struct ip_runner){ .input = input, .types = types, .jobs = o->jobs,
	    .http = run.http, .fd = run.pipe[0], .stop_at_once = 1, .start = start,
	    .ready = reap, .ud = &run };
	rc = ip_runner_run(&run.runner);
	ip_http_free(run.http);
	ip_ssh_global_cleanup();
	close(run.pipe[0]);
	close(run.pipe[1]);
	return rc == IP_EXIT_OK && run.not_federated ? IP_EXIT_ITEM : rc;
}
