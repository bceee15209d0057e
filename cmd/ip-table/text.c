/* text: the display width of what the tables and the live view print
 * (made safe by ip_sanitize first). */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "table.h"

/* Display width of UTF-8 s; control characters were replaced already. */
size_t
width(const char *s)
{
	mbstate_t st = { 0 };
	size_t w = 0, n = strlen(s);
	wchar_t wc;

	while (n > 0) {
		size_t k = mbrtowc(&wc, s, n, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			w++;
			s++;
			n--;
			memset(&st, 0, sizeof(st));
			continue;
		}
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : (size_t)cw;
		s += k;
		n -= k;
	}
	return w;
}

