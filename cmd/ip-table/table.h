/* ip-table: main.c (tables, summaries) calls progress.c (live view) and
 * status.c (the board); all use text.c. */
#ifndef IP_TABLE_H
#define IP_TABLE_H
#include <stddef.h>

/* text.c: display width of UTF-8 s. */
size_t width(const char *s);
/* progress.c: the live view (-p); the exit status. */
int progress(int nfiles, char **files, const char *until);
/* status.c: ip-check's results as a board (--status); the exit status. */
int status_board(int nfiles, char **files, const char *html, int refresh);

#endif
