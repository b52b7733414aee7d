/*
 * The service-manager pattern: fork first, then build, load and release the
 * whole filter in the child, just before it would exec.  Meanwhile the
 * parent keeps using the library for its own bookkeeping, as a long-running
 * manager does, so every child inherits a different library state.
 *
 * A library that cannot work in a forked child of a process that already
 * used it (locks held by threads that did not survive the fork, say) hangs
 * or crashes here.
 */
#include "common.h"

#define ROUNDS 8

static void __attribute__((noreturn)) child(void *unused __attribute__((unused)), int out)
{
	scmp_filter_ctx ctx;
	unsigned int added;
	int rc;

	no_core_dumps();
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		dprintf(out, "seccomp_init returned NULL\n");
		_exit(2);
	}
	added = add_allowlist(ctx, SCMP_ACT_ALLOW, NULL);
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (rc == 0)
		rc = seccomp_load(ctx);
	if (rc != 0) {
		dprintf(out, "attr_set/load returned %d\n", rc);
		_exit(3);
	}
	seccomp_release(ctx);
	dprintf(out, "loaded %u rules\n", added);

	forbidden_syscall();

	dprintf(out, "survived ptrace\n");
	_exit(4);
}

/* The parent's own use of the library between forks. */
static void parent_work(int round)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));

	if (!ctx)
		fail("seccomp_init returned NULL");
	add_allowlist(ctx, round % 2 ? SCMP_ACT_ALLOW : SCMP_ACT_LOG, NULL);
	if (round % 3 == 0)
		export_and_compare(ctx);
	seccomp_release(ctx);
}

int main(void)
{
	char out[1024];
	int round, status;
	bool exited;

	for (round = 0; round < ROUNDS; round++) {
		parent_work(round);

		exited = fork_reporting(child, NULL, &status, out, sizeof(out));

		if (!exited)
			fail("round %d: child hung %s; it said:\n%s", round,
			     strstr(out, "loaded ") ? "after loading its filter" :
			     "while building or loading its filter", out);
		if (!strstr(out, "loaded ") || strstr(out, "survived"))
			fail("round %d: child %s; it said:\n%s", round,
			     describe_status(status), out);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
			fail("round %d: child %s, want killed by SIGSYS; it said:\n%s",
			     round, describe_status(status), out);
	}
	printf("%d children built and loaded their own filter and died of SIGSYS\n",
	       ROUNDS);
	return 0;
}
