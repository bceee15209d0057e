/* runner: the one loop of every tool that works item by item (mblaze's
 * blaze822_loop is the model).  It reads the NDJSON stream non-blocking,
 * passes objects of other types on unchanged, keeps at most `jobs` items
 * in flight, runs the HTTP loop and waits on one more fd (a worker
 * thread's done-pipe) in the same poll, and ends the run the same way in
 * every tool; see ip-instances(1), "INTERRUPTS AND EXIT STATUS". */
#ifndef IP_RUNNER_H
#define IP_RUNNER_H
#include <jv.h>

#include "http.h"

struct ip_runner {
	/* Set by the caller. */
	const char *input;		/* file, or "-"/NULL for stdin */
	const char *const *types;	/* the types handled, NULL-terminated */
	int jobs;			/* items in flight at most; 0: no bound */
	struct ip_http *http;		/* or NULL: no HTTP in this tool */
	int fd;				/* one more fd to wait for, or -1 */
	/* The items change nothing (checks): the first interrupt ends the
	 * tool at once, by the signal, as a second one does in the others. */
	int stop_at_once;
	/* Start one item (owned by the callee): 1 when it is now in flight
	 * (it ends with ip_runner_done), 0 when it was settled at once
	 * (emitted or failed with ip_item_fail). */
	int (*start)(void *ud, jv item);
	/* fd became readable. */
	void (*ready)(void *ud);
	/* Every turn of the loop: the longest wait before the next turn
	 * (ms), or < 0 for the default (1000). */
	long (*turn)(void *ud);
	/* Work the runner does not see (held for a batch): keep running. */
	int (*busy)(void *ud);
	void *ud;

	/* Private. */
	int inflight, skipped;
};

/* Run until the input ends and nothing is in flight (or, after an
 * interrupt, nothing is in flight).  Returns the exit status: 0 when every
 * item succeeded, 1 when an item failed (ip_item_fail, ip_run_failed), a
 * line was bad, or the run was interrupted. */
int ip_runner_run(struct ip_runner *r);
/* One item started by start() is finished (emitted or failed). */
void ip_runner_done(struct ip_runner *r);
/* The exit status for what happened so far (for tools without a stream). */
int ip_exit_status(void);

#endif
