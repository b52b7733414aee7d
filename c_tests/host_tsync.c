/*
 * A strict allowlist with TSYNC, which puts the filter on the Go
 * runtime's threads too.
 *
 * The filter allows what the test itself needs, what the library
 * documents for calls after a load, and what it documents for its own
 * threads (README.md, "Living in your process"); nothing else. The
 * child then keeps using the library and lives long enough for the
 * runtime's background thread to run many times over. A syscall outside
 * the documented sets kills it with SIGSYS.
 */
#include "common.h"

#include <dirent.h>

#define LIVE_MS 1500

static const char *const own[] = {
	/* report, exit, sleep, and read /proc/self/task/N/status */
	"write", "exit", "exit_group", "rt_sigreturn", "clock_nanosleep",
	"openat", "read", "close", "getdents64", "fstat", "newfstatat",
	"lseek", "getpid",
};

/* On the calling thread after a load. */
static const char *const after_load[] = {
	"rt_sigprocmask", "seccomp", "prctl", "futex", "mmap", "munmap",
	"madvise", "brk",
};

/* On the runtime's own threads. */
static const char *const runtime_threads[] = {
	"futex", "nanosleep", "sched_yield",
};

/*
 * When the host keeps calling the library after the load: the runtime
 * may start a thread (seen about once in 15 runs on a loaded machine,
 * when its idle threads were all busy elsewhere), and a thread starting
 * makes these.
 */
static const char *const runtime_new_thread[] = {
	"clone", "clone3", "mmap", "mprotect", "munmap", "rt_sigprocmask",
	"sigaltstack", "set_robust_list", "rseq", "gettid", "madvise",
};

static void allow(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		int rc;

		if (nr < 0)
			_exit(20);
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc != 0 && rc != -EEXIST)
			_exit(21);
	}
}

#define ALLOW(ctx, list) allow(ctx, list, sizeof(list) / sizeof(list[0]))

/* Every thread of the process runs under a filter. */
static int all_threads_filtered(void)
{
	char path[320], line[128];
	struct dirent *d;
	int threads = 0;
	DIR *dir = opendir("/proc/self/task");

	if (!dir)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		FILE *f;
		int mode = -1;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
			 d->d_name);
		f = fopen(path, "r");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "Seccomp:", 8) == 0)
				mode = atoi(line + 8);
		fclose(f);
		if (mode != 2)
			return 0;
		threads++;
	}
	closedir(dir);
	return threads;
}

static void __attribute__((noreturn)) child(void)
{
	scmp_filter_ctx ctx;
	struct timespec ms = { 0, 1000 * 1000 };
	size_t len = 0;
	int i, threads;

	no_core_dumps();
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		_exit(22);
	ALLOW(ctx, own);
	ALLOW(ctx, after_load);
	ALLOW(ctx, runtime_threads);
	ALLOW(ctx, runtime_new_thread);
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) != 0)
		_exit(23);
	if (seccomp_load(ctx) != 0)
		_exit(24);
	seccomp_release(ctx);

	threads = all_threads_filtered();
	if (threads < 1) {
		dprintf(2, "TSYNC left a thread unfiltered (%d)\n", threads);
		_exit(25);
	}
	for (i = 0; i < LIVE_MS; i++) {
		if (i % 100 == 0) {
			ctx = seccomp_init(SCMP_ACT_ALLOW);
			if (!ctx)
				_exit(26);
			add_allowlist(ctx, SCMP_ACT_ERRNO(1), NULL);
#if HAVE_SCMP_2_6
			if (seccomp_export_bpf_mem(ctx, NULL, &len) != 0)
				_exit(27);
#endif
			seccomp_release(ctx);
		}
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL);
	}
	(void)len;
	dprintf(1, "%d threads lived %d ms under the filter\n", threads,
		LIVE_MS);
	_exit(0);
}

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		child();
	/* A fresh process: a forked one would have none of the runtime's
	 * threads for TSYNC to reach. */
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "child", (char *)NULL);
		_exit(127);
	}
	if (!wait_child(pid, CHILD_TIMEOUT, &status))
		fail("child hung");
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		fail("a thread made a syscall outside the documented sets "
		     "(strace -f the child to see which)");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("child %s", describe_status(status));
	return 0;
}
