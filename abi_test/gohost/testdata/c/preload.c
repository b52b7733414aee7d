/*
 * Built against the system's libseccomp; run with and without our
 * library in LD_PRELOAD. Prints the version it sees, then proves the
 * library works by loading a filter in a child.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <seccomp.h>

int main(void)
{
	const struct scmp_version *v = seccomp_version();
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int status;
	pid_t pid;

	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				     SCMP_SYS(getppid), 0) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		if (seccomp_load(ctx) != 0)
			_exit(2);
		_exit(syscall(SYS_getppid) == -1 && errno == EPERM ? 0 : 3);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return 1;
	seccomp_release(ctx);
	printf("%u.%u.%u\n", v->major, v->minor, v->micro);
	return 0;
}
