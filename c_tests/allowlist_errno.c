/*
 * A ~300 syscall allowlist whose default action fails calls with an errno
 * instead of killing: the style used by container runtimes.
 *
 * The forked child loads the filter and checks for itself that allowed
 * calls work and that forbidden ones, including a syscall number the kernel
 * does not even have, fail with exactly the configured errno.  It reports
 * through its exit status and a pipe.
 */
#include "common.h"

/* Well past the end of any architecture's syscall table. */
#define NO_SUCH_SYSCALL 4000

struct errno_case {
	scmp_filter_ctx ctx;
	int want;
};

static void __attribute__((noreturn)) child(void *arg, int out)
{
	scmp_filter_ctx ctx = ((struct errno_case *)arg)->ctx;
	int want = ((struct errno_case *)arg)->want;
	pid_t me = getpid();
	long ret;
	int rc;

	rc = seccomp_load(ctx);
	if (rc != 0) {
		dprintf(out, "seccomp_load returned %d\n", rc);
		_exit(2);
	}
	if (syscall(SYS_getpid) != me) {
		dprintf(out, "getpid gave a different answer under the filter\n");
		_exit(3);
	}
	if (proc_status_field("Seccomp") != 2) {
		dprintf(out, "/proc/self/status does not show filter mode 2\n");
		_exit(4);
	}

	errno = 0;
	ret = forbidden_syscall();
	if (ret != -1 || errno != want) {
		dprintf(out, "ptrace: got %ld errno %d (%s), want -1 errno %d\n",
			ret, errno, strerror(errno), want);
		_exit(5);
	}

	errno = 0;
	ret = syscall(NO_SUCH_SYSCALL);
	if (ret != -1 || errno != want) {
		dprintf(out, "syscall(%d): got %ld errno %d (%s), want -1 errno %d\n",
			NO_SUCH_SYSCALL, ret, errno, strerror(errno), want);
		_exit(6);
	}

	/* being denied must not have cost us anything allowed */
	dprintf(out, "denied calls failed with errno %d\n", want);
	_exit(0);
}

static void run(int err)
{
	scmp_filter_ctx ctx;
	char out[4096];
	int status;
	unsigned int added;
	bool exited;

	ctx = seccomp_init(SCMP_ACT_ERRNO(err));
	if (!ctx)
		fail("seccomp_init(SCMP_ACT_ERRNO(%d)) returned NULL", err);
	added = add_allowlist(ctx, SCMP_ACT_ALLOW, NULL);
	export_and_compare(ctx);

	exited = fork_reporting(child, &(struct errno_case){ ctx, err }, &status,
				out, sizeof(out));

	if (!exited)
		fail("ERRNO(%s): child hung; it said:\n%s", strerrorname_np(err), out);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("ERRNO(%s): child %s; it said:\n%s", strerrorname_np(err),
		     describe_status(status), out);
	if (!strstr(out, "denied calls failed"))
		fail("ERRNO(%s): child exited 0 without its report:\n%s",
		     strerrorname_np(err), out);

	printf("ERRNO(%s): %u rules, denied syscalls fail with %s\n",
	       strerrorname_np(err), added, strerrorname_np(err));
	seccomp_release(ctx);
}

int main(void)
{
	run(EPERM);
	run(ENOSYS);
	return 0;
}
