/* runner: read, start, wait, finish; one Ctrl-C behaviour for every tool. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "runner.h"
#include "schema.h"
#include "stream.h"

static int handled(const struct ip_runner *r, jv item)
{
	for (const char *const *t = r->types; *t; t++)
		if (ip_get_type(item, *t))
			return 1;
	return 0;
}

static int
idle(const struct ip_runner *r)
{
	return r->inflight == 0 && (r->busy == NULL || !r->busy(r->ud)) &&
	    (r->http == NULL || ip_http_pending(r->http) == 0);
}

/* Wait for the input (when wanted), the extra fd, the network or a timer. */
static void
wait_some(struct ip_runner *r, int in, long ms)
{
	struct curl_waitfd w[2];
	int n = 0, k;

	if (in >= 0)
		w[n++] = (struct curl_waitfd){ .fd = in, .events = CURL_WAIT_POLLIN };
	if (r->fd >= 0)
		w[n++] = (struct curl_waitfd){ .fd = r->fd, .events = CURL_WAIT_POLLIN };
	if (r->http)
		ip_http_step_fds(r->http, w, n, ms);
	else {
		struct pollfd p[2];
		for (k = 0; k < n; k++)
			p[k] = (struct pollfd){ .fd = w[k].fd, .events = POLLIN };
		if (poll(p, n, (int)ms) < 0 && errno != EINTR)
			ip_die(IP_EXIT_FATAL, "poll: %s", strerror(errno));
		for (k = 0; k < n; k++)
			w[k].revents = p[k].revents;
	}
	/* the input is read non-blocking anyway: only the extra fd matters */
	if (r->fd >= 0 && w[n - 1].revents && r->ready)
		r->ready(r->ud);
}

int
ip_runner_run(struct ip_runner *r)
{
	struct ip_reader *rd = ip_reader_open(r->input ? r->input : "-");
	int eof = 0, stopped = 0, bad;
	jv item;

	ip_reader_nonblock(rd);
	ip_catch_interrupt();
	for (;;) {
		if (ip_interrupted && r->stop_at_once) {
			ip_warn("interrupted: stopped at once, %d in flight left unfinished", r->inflight);
			signal((int)ip_interrupted, SIG_DFL);
			raise((int)ip_interrupted);
		}
		if (ip_interrupted && !stopped) {
			stopped = 1;
			ip_warn("interrupted: no new servers; finishing %d in flight "
			    "(interrupt again to stop now)", r->inflight);
		}
		/* Take input while there is room; after an interrupt, only count
		 * what is never started (other objects still pass on). */
		while (!eof && (stopped || r->jobs <= 0 || r->inflight < r->jobs)) {
			int k = ip_reader_next(rd, &item);
			if (k == IP_EOF)
				eof = 1;
			if (k != IP_ITEM && k != IP_BAD)
				break;
			if (k == IP_BAD)
				continue;
			if (!handled(r, item))
				ip_emit(item);
			else if (stopped) {
				r->skipped++;
				jv_free(item);
			} else if (r->start(r->ud, item))
				r->inflight++;
		}
		long ms = r->turn ? r->turn(r->ud) : -1;
		if ((eof || stopped) && idle(r))
			break;
		int room = !eof && (stopped || r->jobs <= 0 || r->inflight < r->jobs);
		wait_some(r, room ? ip_reader_fd(rd) : -1, ms < 0 ? 1000 : ms);
	}
	bad = ip_reader_errors(rd);
	ip_reader_close(rd);
	if (stopped)
		ip_warn("interrupted: %d item(s) read were never started%s", r->skipped,
		    eof ? "" : ", and the rest of the input was not read");
	return stopped || bad > 0 ? IP_EXIT_ITEM : ip_exit_status();
}

void
ip_runner_done(struct ip_runner *r)
{
	r->inflight--;
}

int
ip_exit_status(void)
{
	return ip_items_failed() > 0 ? IP_EXIT_ITEM : IP_EXIT_OK;
}
