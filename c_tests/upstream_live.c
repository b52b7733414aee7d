/*
 * Live filters as strict as the ones in libseccomp's own "live" tests.
 *
 * Each case runs in a freshly exec'd copy of this program, because that
 * is the process a consumer has: one that loaded the library at start-up
 * (and with it whatever threads the library brings), not a forked child
 * holding only the thread that called fork. The case builds a filter,
 * loads it, does a little I/O, releases the context and exits with 160.
 * A SIGSYS handler reports any syscall the filter traps through a pipe
 * the parent reads, so a failure names the syscall that broke it.
 *
 *   strict      TRAP by default; allow only open, openat, write, close,
 *               rt_sigreturn and exit_group. Nothing else may run on the
 *               loading thread after seccomp(2), seccomp_release included.
 *   strict_arg  the same, with write allowed only on one descriptor.
 *   tsync       "strict" with SCMP_FLTATR_CTL_TSYNC: every thread of the
 *               process gets the filter, the library's own threads too.
 *   kill        KILL (the thread) by default, allowing only rt_sigreturn
 *               and exit_group; the next syscall must end the process
 *               with SIGSYS, as it would for any single-threaded program.
 *   kill_threaded  the same in a host with a second thread, which must
 *               outlive the killed main thread and end the process itself.
 */
#include "pending.h"

#include <pthread.h>

#define OK_STATUS	160
/* Each case needs well under a second; a kill that did not end the
 * process is seen as a hang. The wait ends as soon as the child does, so
 * a generous limit costs a passing run nothing (4 s was once too short
 * on a machine loaded with other builds). */
#define LIVE_TIMEOUT	CHILD_TIMEOUT
#define TRAPPED_STATUS	161

static const char *const strict_names[] = {
	"open", "openat", "write", "close", "rt_sigreturn", "exit_group",
};

/* The pipe back to the parent; also the only descriptor strict_arg may write. */
static int report_fd = -1;

/* Reports the trapped syscall with nothing but write(2): no stdio in a
 * signal handler. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	static const char head[] = "trapped syscall ";
	char msg[sizeof(head) + 12], *p = msg + sizeof(msg);
	unsigned int nr = (unsigned int)si->si_syscall;

	(void)sig;
	(void)uc;
	*--p = '\n';
	do
		*--p = (char)('0' + nr % 10);
	while ((nr /= 10) != 0);
	p -= sizeof(head) - 1;
	memcpy(p, head, sizeof(head) - 1);
	if (report_fd >= 0)
		(void)!write(report_fd, p, (size_t)(msg + sizeof(msg) - p));
	_exit(TRAPPED_STATUS);
}

static void trap_sigsys(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		_exit(2);
}

static void rule(scmp_filter_ctx ctx, const char *name, unsigned int argc,
		 const struct scmp_arg_cmp *arg)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr < 0 || seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, argc,
					     arg) != 0)
		_exit(3);
}

/* The body shared by every case once the filter is loaded. */
static void __attribute__((noreturn)) after_load(scmp_filter_ctx ctx)
{
	static const char buf[] = "testing";
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf) ||
	    close(fd) < 0)
		_exit(4);
	if (write(report_fd, buf, sizeof(buf)) != sizeof(buf))
		_exit(5);
	seccomp_release(ctx);
	/* exit(3), not _exit(2): the library's destructors run under the
	 * filter too, as they do in upstream's tests. */
	exit(OK_STATUS);
}

/*
 * Stay alive for a moment without making a syscall, so that threads the
 * library runs in the background get to make theirs under the filter;
 * libseccomp's own tsync test leaves that to chance.
 */
static void linger(void)
{
	volatile unsigned long spin;

	for (spin = 0; spin < 500UL * 1000 * 1000; spin++)
		;
}

static void __attribute__((noreturn)) run_strict(bool by_arg, bool tsync)
{
	scmp_filter_ctx ctx;
	size_t i;

	trap_sigsys();
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (ctx == NULL)
		_exit(6);
	if (tsync && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) != 0)
		_exit(7);
	for (i = 0; i < sizeof(strict_names) / sizeof(strict_names[0]); i++) {
		struct scmp_arg_cmp a0 = SCMP_A0(SCMP_CMP_EQ,
						 (scmp_datum_t)report_fd);
		bool arg = by_arg && strcmp(strict_names[i], "write") == 0;

		rule(ctx, strict_names[i], arg ? 1 : 0, arg ? &a0 : NULL);
	}
	if (seccomp_load(ctx) != 0)
		_exit(9);
	if (tsync)
		linger();
	if (by_arg) {
		/* write is allowed on the report pipe alone */
		static const char buf[] = "testing";

		if (write(report_fd, buf, sizeof(buf)) != sizeof(buf))
			_exit(5);
		seccomp_release(ctx);
		_exit(OK_STATUS);
	}
	after_load(ctx);
}

static void __attribute__((noreturn)) run_kill(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL);

	if (ctx == NULL)
		_exit(6);
	rule(ctx, "rt_sigreturn", 0, NULL);
	rule(ctx, "exit_group", 0, NULL);
	if (seccomp_load(ctx) != 0)
		_exit(9);
	/* Killed here; reaching the exit is a failure too. */
	(void)!write(report_fd, "alive\n", 6);
	_exit(OK_STATUS);
}

/*
 * A host with a second thread: the filter kills the main thread, the
 * other one goes on, as with libseccomp, and ends the process itself.
 */
static void *outlive_main(void *arg)
{
	(void)arg;
	usleep(300 * 1000); /* the main thread is long dead by now */
	if (write(report_fd, "testing", 8) != 8)
		_exit(5);
	_exit(OK_STATUS);
}

static void __attribute__((noreturn)) run_kill_threaded(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL);
	pthread_t t;

	if (ctx == NULL)
		_exit(6);
	rule(ctx, "rt_sigreturn", 0, NULL);
	rule(ctx, "exit_group", 0, NULL);
	if (pthread_create(&t, NULL, outlive_main, NULL) != 0)
		_exit(7);
	if (seccomp_load(ctx) != 0)
		_exit(9);
	(void)!write(report_fd, "alive\n", 6);
	_exit(12);
}

struct live_case {
	const char *name;
	/* The fix this case waits for, or NULL if it must pass today. */
	const char *pending;
	bool want_sigsys;	/* killed by SIGSYS rather than exit 160 */
};

static const struct live_case cases[] = {
	{ "strict", NULL, false },
	{ "strict_arg", NULL, false },
	{ "tsync", "the library's runtime threads are parked before a "
		   "TSYNC filter that allows none of their syscalls lands "
		   "(a wait, not a guarantee)", false },
	{ "kill", NULL, true },
	{ "kill_threaded", NULL, false },
};

static void child_main(const char *name, int fd)
{
	report_fd = fd;
	if (strcmp(name, "strict") == 0)
		run_strict(false, false);
	if (strcmp(name, "strict_arg") == 0)
		run_strict(true, false);
	if (strcmp(name, "tsync") == 0)
		run_strict(false, true);
	if (strcmp(name, "kill") == 0)
		run_kill();
	if (strcmp(name, "kill_threaded") == 0)
		run_kill_threaded();
	_exit(10);
}

static void run_case(const struct live_case *c)
{
	char fdarg[16], out[256] = "";
	int pipefd[2], status = 0;
	bool done, ok;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd) < 0)
		fail("pipe: %s", strerror(errno));
	snprintf(fdarg, sizeof(fdarg), "%d", pipefd[1]);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(pipefd[0]);
		no_core_dumps();
		execl("/proc/self/exe", program_invocation_name, "--child",
		      c->name, fdarg, (char *)NULL);
		_exit(11);
	}
	close(pipefd[1]);
	done = wait_child(pid, LIVE_TIMEOUT, &status);
	n = read(pipefd[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	/* The payload written before exiting is not news; a trap report is. */
	if (n > 0 && strncmp(out, "testing", 7) == 0)
		memmove(out, out + 8, strlen(out + 8) + 1);

	if (c->want_sigsys)
		ok = done && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
	else
		ok = done && WIFEXITED(status) &&
		     WEXITSTATUS(status) == OK_STATUS;
	if (c->pending)
		pending(ok, c->pending, "%s: %s%s %s", c->name,
			done ? "" : "hung, then ",
			describe_status(status), out);
	else
		must(ok, "%s: %s%s %s", c->name, done ? "" : "hung, ",
		     describe_status(status), out);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc == 4 && strcmp(argv[1], "--child") == 0)
		child_main(argv[2], atoi(argv[3]));
	if (seccomp_api_get() < 2) {
		printf("SKIP: the kernel lacks what API level 2 needs\n");
		return 0;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	return pending_report();
}
