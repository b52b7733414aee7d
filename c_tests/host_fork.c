/*
 * fork() without exec, the man-db pattern, at volume.
 *
 * The parent forks 1000 times while two of its threads call the library
 * in a loop, then 1000 times more with those threads gone. Every child
 * builds a filter of about 300 rules, loads it and exits; a child that
 * has not exited within HANG_TIMEOUT seconds counts as hung, and fails
 * the test like any other failure. Finally,
 * the documented async-signal-safe path: a context precomputed in the
 * parent is loaded by children that call nothing else.
 *
 * A library whose runtime can be caught mid-call by fork(), or that
 * needs threads the child does not have, hangs or crashes here.
 */
#include "common.h"

#include <pthread.h>

#define FORKS 1000

static volatile int stop;

static void *busy(void *arg)
{
	unsigned long *calls = arg;

	while (!stop) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		size_t len = 0;

		if (!ctx)
			fail("seccomp_init failed in a busy thread");
		seccomp_rule_add(ctx, SCMP_ACT_ERRNO(1), SCMP_SYS(ptrace), 0);
		seccomp_rule_add(ctx, SCMP_ACT_ERRNO(2), SCMP_SYS(reboot), 0);
#if HAVE_SCMP_2_6
		seccomp_export_bpf_mem(ctx, NULL, &len);
#else
		seccomp_precompute(ctx);
#endif
		seccomp_release(ctx);
		(*calls)++;
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The child's whole life: build, load, prove the filter works, exit. */
static void __attribute__((noreturn)) child(scmp_filter_ctx pre)
{
	scmp_filter_ctx ctx = pre;

	if (ctx == NULL) {
		ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
		if (!ctx)
			_exit(2);
		add_allowlist(ctx, SCMP_ACT_ALLOW, NULL);
	}
	if (seccomp_load(ctx) != 0)
		_exit(3);
	if (forbidden_syscall() != -1 || errno != EPERM)
		_exit(4);
	_exit(0);
}


/* Seconds before a child counts as hung; a healthy one takes ~1 ms. */
#define HANG_TIMEOUT 2

/* wait_child, with a tick fit for children that live a millisecond. */
static bool wait_quick(pid_t pid, int *status)
{
	const struct timespec tick = { 0, 100 * 1000 };
	double end = now() + HANG_TIMEOUT;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0)
			fail("waitpid: %s", strerror(errno));
		if (now() > end)
			break;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return false;
}

/* Fork FORKS children; any that fails or hangs is fatal. */
static void forks(const char *what, scmp_filter_ctx pre)
{
	double start = now();
	int i;

	for (i = 0; i < FORKS; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			fail("%s: fork %d: %s", what, i, strerror(errno));
		if (pid == 0)
			child(pre);
		if (!wait_quick(pid, &status))
			fail("%s: child %d hung (killed after %ds)", what, i,
			     HANG_TIMEOUT);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail("%s: child %d %s", what, i,
			     describe_status(status));
	}
	printf("%s: %d/%d children built, loaded and exited (%.2f s)\n",
	       what, FORKS, FORKS, now() - start);
}

int main(void)
{
	unsigned long calls[2] = { 0, 0 };
	pthread_t t[2];
	scmp_filter_ctx pre;
	unsigned int added;
	int i;

	pre = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!pre)
		fail("seccomp_init failed");
	added = add_allowlist(pre, SCMP_ACT_ALLOW, NULL);
	if (added < 250)
		fail("only %u rules in the allowlist", added);

	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, busy, &calls[i]) != 0)
			fail("pthread_create failed");
	/*
	 * With two threads calling the library all the time the runtime's
	 * own threads are busy too: at any instant one of them may hold
	 * the scheduler lock, or every P. Before the library held that
	 * lock across fork() itself (capi/fork.c), 0 to 5 children in 1000
	 * waited for it forever. Now none may.
	 */
	forks("busy parent", NULL);
	stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("the busy threads made %lu and %lu filters meanwhile\n",
	       calls[0], calls[1]);
	if (calls[0] == 0 || calls[1] == 0)
		fail("a busy thread never ran: the test tested nothing");

	forks("idle parent", NULL);

	if (seccomp_precompute(pre) != 0)
		fail("seccomp_precompute failed");
	forks("precomputed", pre);
	seccomp_release(pre);
	return 0;
}
