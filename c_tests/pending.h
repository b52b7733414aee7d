/*
 * Checks that libseccomp's own regression suite taught us, some of which
 * our library does not pass yet.
 *
 * A check whose fix is still being written is reported through pending()
 * with the name of that fix. By default such a miss prints a SKIP line and
 * does not fail the program, so `make check` stays green while the fix is
 * in flight; with SECCOMPTREE_PENDING_STRICT=1 in the environment every
 * pending miss is a failure, which is how the fix's author proves it.
 * Once the fix is in, the check simply passes and the pending() call can
 * become an ordinary failure.
 */
#ifndef C_TESTS_PENDING_H
#define C_TESTS_PENDING_H

#include "common.h"

static unsigned int pending_checks, pending_failures, pending_skips;

static inline bool pending_strict(void)
{
	const char *s = getenv("SECCOMPTREE_PENDING_STRICT");

	return s && strcmp(s, "1") == 0;
}

/* A check that must hold today. */
static inline void __attribute__((format(printf, 2, 3)))
must(bool ok, const char *fmt, ...)
{
	va_list ap;

	pending_checks++;
	if (ok)
		return;
	pending_failures++;
	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A check whose fix, named by @fix, has not landed yet. */
static inline void __attribute__((format(printf, 3, 4)))
pending(bool ok, const char *fix, const char *fmt, ...)
{
	va_list ap;

	pending_checks++;
	if (ok)
		return;
	if (pending_strict()) {
		pending_failures++;
		printf("FAIL ");
	} else {
		pending_skips++;
		printf("SKIP (pending fix: %s; SECCOMPTREE_PENDING_STRICT=1 "
		       "makes this fail) ", fix);
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The exit status for main(): zero unless a non-pending check failed. */
static inline int pending_report(void)
{
	printf("%u checks, %u failed, %u pending\n", pending_checks,
	       pending_failures, pending_skips);
	return pending_failures ? 1 : 0;
}

/*
 * Runs @fn in a child and returns its wait status, so a crash or a hang
 * in the library becomes a readable result for the parent to judge.
 * *hung is set if the child outlived @secs and had to be killed.
 */
static inline int run_child(void (*fn)(void), unsigned int secs, bool *hung)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		no_core_dumps();
		fn();
		_exit(0);
	}
	*hung = !wait_child(pid, secs, &status);
	return status;
}

#endif
