/*
 * Calls after load, under a strict allowlist.
 *
 * A thread loads a filter that allows little more than what the library
 * documents it needs after a load (README.md, "Living in your process"),
 * then releases the context, builds a stricter filter from scratch and
 * loads it on top, then releases again and builds one more context. Any
 * syscall the library makes beyond the documented set kills the process
 * with SIGSYS.
 */
#include "common.h"

/* The test's own needs: writing its report and exiting. */
static const char *const own[] = {
	"write", "exit", "exit_group", "rt_sigreturn",
};

/* The library's documented needs on a filtered thread. */
static const char *const library[] = {
	"rt_sigprocmask", "seccomp", "prctl", "futex", "mmap", "munmap",
	"madvise", "brk",
};

static void allow(scmp_filter_ctx ctx, const char *const *names, size_t n,
		  const char *skip)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int nr;

		if (skip && strcmp(names[i], skip) == 0)
			continue;
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr < 0 || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0)
			_exit(20);
	}
}

static scmp_filter_ctx strict(const char *skip)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);

	if (!ctx)
		_exit(21);
	allow(ctx, own, sizeof(own) / sizeof(own[0]), NULL);
	allow(ctx, library, sizeof(library) / sizeof(library[0]), skip);
	return ctx;
}

static void __attribute__((noreturn)) child(void)
{
	scmp_filter_ctx ctx;
	size_t len = 0;
	int rc;

	no_core_dumps();
	ctx = strict(NULL);
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getppid), 0) != 0 ||
	    seccomp_load(ctx) != 0)
		_exit(22);

	/* From here on every syscall outside the two lists is fatal. */
	seccomp_release(ctx);
	ctx = strict("madvise"); /* stricter: one syscall fewer */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(getppid), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	if (rc != 0)
		_exit(23);
	if (syscall(SYS_getppid) != -1 || errno != EPERM)
		_exit(24);
	seccomp_release(ctx);

	/* And the library still works after the second load. */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		_exit(25);
	add_allowlist(ctx, SCMP_ACT_ERRNO(1), NULL);
#if HAVE_SCMP_2_6
	if (seccomp_export_bpf_mem(ctx, NULL, &len) != 0 || len == 0)
		_exit(26);
#endif
	seccomp_release(ctx);
	(void)len;
	_exit(0);
}

int main(void)
{
	int status;
	pid_t pid;

	/* The runtime is up and the caller has used the library before. */
	seccomp_release(seccomp_init(SCMP_ACT_ALLOW));

	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0)
		child();
	if (!wait_child(pid, CHILD_TIMEOUT, &status))
		fail("child hung");
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		fail("the library made a syscall outside its documented set "
		     "after a load (strace -f the child to see which)");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("child %s", describe_status(status));
	printf("release, init, rule_add, load and export all ran under a "
	       "strict allowlist\n");
	return 0;
}
