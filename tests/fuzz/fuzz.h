/* tests/fuzz: what the libFuzzer targets share.  Each target is one file
 * tests/fuzz/fuzz_NAME.c with its seeds in tests/fuzz/corpus/NAME/. */
#ifndef IP_FUZZ_H
#define IP_FUZZ_H
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

/* ip_die() lands here (a config error is an answer, not a crash). */
static jmp_buf fuzz_die;
static void
fuzz_die_hook(int code)
{
	(void)code;
	longjmp(fuzz_die, 1);
}

static void
fuzz_quiet(void)
{
	/* messages are not what is tested here, and would flood the output */
	ip_verbosity = getenv("FUZZ_VERBOSE") ? 2 : -1;
	ip_die_hook = fuzz_die_hook;
}

/* data as a file: a memfd, named /proc/self/fd/N in *path. */
static int
fuzz_file(const uint8_t *data, size_t size, char path[64])
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__, __LINE__, #cond); abort(); } } while (0)

#endif
