/* stream: newline-delimited JSON in and out, one object per line. */
#ifndef IP_STREAM_H
#define IP_STREAM_H
#include <stddef.h>
#include <jv.h>

#define IP_MAX_LINE (1024 * 1024)	/* longer input lines are rejected */

enum {
	IP_EOF = 0,	/* no more input */
	IP_ITEM = 1,	/* *out holds an object */
	IP_BAD = -1,	/* a bad line was reported on stderr; go on */
	IP_AGAIN = -2,	/* non-blocking reader: no complete line yet */
};

struct ip_reader;

/* "-" or NULL is standard input.  Dies (exit 2) when a file cannot be opened. */
struct ip_reader *ip_reader_open(const char *path);
/* After this, ip_reader_next does at most one read() and may return IP_AGAIN. */
void ip_reader_nonblock(struct ip_reader *r);
int ip_reader_fd(const struct ip_reader *r);
/* Follow a growing file (as tail -f): at its end, ip_reader_next returns
 * IP_AGAIN, keeping a partial last line, until follow is turned off. */
void ip_reader_follow(struct ip_reader *r, int on);
/* Next object.  Bad lines are reported as "FILE:LINE: why" and skipped. */
int ip_reader_next(struct ip_reader *r, jv *out);
/* Where the last item came from: "FILE:LINE" (valid until the next call). */
const char *ip_reader_where(const struct ip_reader *r);
int ip_reader_errors(const struct ip_reader *r);	/* bad lines seen so far */
void ip_reader_close(struct ip_reader *r);

/* The one JSON value of s[0..n) (all JSON from outside is parsed here), or
 * jv_invalid() without a message (jq's quotes the input).  *why, when not
 * NULL, says what was wrong: "invalid JSON" or "more than one JSON value". */
jv ip_json_parse(const char *s, size_t n, const char **why);

/* Write obj (consumed) as one compact line with a single write(2).
 * A broken stdout other than EPIPE is fatal (exit 2). */
void ip_emit(jv obj);
/* Other output to stdout, checked the same way (exit 2). */
void ip_write(const char *buf, size_t n);
void ip_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For tools that print with stdio: flush and check at the end (exit 2). */
void ip_stdout_close(void);

/* Safe accessors for objects that came from outside: NULL / default
 * when the key is missing or of another kind.  Never abort. */
const char *ip_get_str(jv obj, const char *key);	/* borrowed from obj */
/* v's text when v is a string without a NUL inside ("abc\u0000x" is not
 * "abc" to strcmp), else NULL.  Borrowed: valid while v lives. */
const char *ip_str(jv v);
int ip_get_type(jv obj, const char *type);		/* obj.type == type */
jv ip_get_obj(jv obj, const char *key);		/* copy, or jv_null() */
jv ip_get(jv obj, const char *key);		/* any kind: copy, or jv_null() */

/* Parse an API answer, integers of more than 15 digits as strings (jq 1.6
 * keeps numbers as doubles: large ids would lose digits); jv_invalid()
 * when it is not JSON. */
jv ip_json_parse_ids(const char *s, size_t len);

#endif
