/*
 * A denylist: allow everything by default and fail a handful of syscalls,
 * each with its own errno, so a mix-up between rules shows.
 *
 * Covers the edges of SCMP_ACT_ERRNO: ERRNO(0) (a fake success), the
 * largest errno the API accepts, and a second rule for an already listed
 * syscall, which libseccomp accepts but ignores (the first action stays).
 */
#include "common.h"

#include <sys/utsname.h>

/*
 * Each call is harmless if the filter failed to block it: pid 0 for
 * ptrace, a bad magic number for reboot, a path below a missing directory
 * for mkdirat.
 */
static const char missing_dir[] = "/nonexistent-seccomptree-c_tests/dir";

static long call_getppid(void) { return syscall(SYS_getppid); }
static long call_uname(void)
{
	struct utsname u;

	return syscall(SYS_uname, &u);
}
static long call_ptrace(void) { return forbidden_syscall(); }
static long call_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, 0); }
static long call_getpgid(void) { return syscall(SYS_getpgid, 0); }
static long call_mkdirat(void)
{
	return syscall(SYS_mkdirat, AT_FDCWD, missing_dir, 0700);
}

static const struct rule {
	const char *name;
	int err;		/* errno the rule returns */
	long (*call)(void);
} rules[] = {
	{ "getppid", ELIBBAD, call_getppid },
	{ "uname", ESTRPIPE, call_uname },
	{ "ptrace", ENOTNAM, call_ptrace },
	{ "reboot", EDOTDOT, call_reboot },
	/* the largest value SCMP_ACT_ERRNO accepts (MAX_ERRNO is rejected) */
	{ "getpgid", 4094, call_getpgid },
	/* ERRNO(0): the syscall is skipped but reports success */
	{ "mkdirat", 0, call_mkdirat },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static int check_child(void)
{
	pid_t me = getpid();
	struct stat st;
	size_t i;
	long ret;
	int bad = 0;

	for (i = 0; i < NRULES; i++) {
		long want = rules[i].err ? -1 : 0;

		errno = 0;
		ret = rules[i].call();
		if (ret != want || errno != rules[i].err) {
			fprintf(stderr, "%s: got %ld errno %d (%s), want %ld errno %d\n",
				rules[i].name, ret, errno, strerror(errno),
				want, rules[i].err);
			bad = 1;
		}
	}

	/* ERRNO(0) must fake success, not run the call */
	if (stat(missing_dir, &st) == 0) {
		fprintf(stderr, "mkdirat ran despite its ERRNO(0) rule\n");
		bad = 1;
	}

	/* unlisted syscalls are untouched */
	if (syscall(SYS_getpid) != me || getuid() != geteuid() ||
	    write(STDOUT_FILENO, "", 0) != 0) {
		fprintf(stderr, "an unlisted syscall misbehaved: %s\n",
			strerror(errno));
		bad = 1;
	}
	if (proc_status_field("Seccomp") != 2) {
		fprintf(stderr, "/proc/self/status does not show filter mode 2\n");
		bad = 1;
	}
	return bad;
}

int main(void)
{
	scmp_filter_ctx ctx;
	int status, rc, nr;
	size_t i;
	pid_t pid;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		fail("seccomp_init(SCMP_ACT_ALLOW) returned NULL");
	for (i = 0; i < NRULES; i++) {
		nr = seccomp_syscall_resolve_name(rules[i].name);
		if (nr < 0)
			fail("cannot resolve %s", rules[i].name);
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(rules[i].err), nr, 0);
		if (rc != 0)
			fail("seccomp_rule_add(%s, ERRNO(%d)) returned %d",
			     rules[i].name, rules[i].err, rc);
	}

	/* a conflicting later rule is accepted and ignored: first one wins */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EIO),
			      seccomp_syscall_resolve_name("getppid"), 0);
	if (rc != 0)
		fail("second rule for getppid returned %d, want 0", rc);

	export_and_compare(ctx);

	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		rc = seccomp_load(ctx);
		if (rc != 0) {
			fprintf(stderr, "seccomp_load returned %d\n", rc);
			_exit(2);
		}
		_exit(check_child());
	}

	if (!wait_child(pid, CHILD_TIMEOUT, &status))
		fail("child hung");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("child %s", describe_status(status));

	printf("%zu denied syscalls returned their own errno; the rest worked\n",
	       NRULES);
	seccomp_release(ctx);
	return 0;
}
