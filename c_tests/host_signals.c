/*
 * Signals in a host that did not expect a Go runtime.
 *
 * A program installs its handlers in main(), after the library's
 * constructors ran, and without SA_ONSTACK: that is how C programs are
 * written. Such a handler, run on one of the runtime's threads, runs on
 * a Go stack, which is fatal. The library keeps asynchronous signals off
 * its threads; this test checks that
 *
 *   1. every thread but the host's own has them blocked, while the main
 *      thread's mask is exactly what the program started with (the
 *      library's constructors must put it back);
 *   2. a flood of process-directed signals, with handlers that use a lot
 *      of stack, while the main thread calls the library in a loop, kills
 *      nothing;
 *   3. a SIGSYS handler still sees SCMP_ACT_TRAP's signal with the
 *      syscall number and the ABI.
 */
#include "common.h"

#include <dirent.h>
#include <pthread.h>
#include <stdint.h>

/* si_code of a SIGSYS raised by seccomp; <signal.h> names it only in
 * some glibc versions. */
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

#define FLOOD_SECONDS 1.5

/*
 * Signals the library must not leave deliverable on its threads. Not
 * SIGCHLD, SIGPROF and signals 32 to 34: the Go runtime unblocks those
 * on every thread it starts, whatever mask it inherited (the library
 * covers them differently, see shim.c). SIGURG is blocked because the
 * library is built with async preemption off.
 */
static const int async_probe[] = { SIGURG, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM,
				   SIGHUP, SIGINT, SIGQUIT, SIGWINCH,
				   35, 64 /* real-time */ };

static unsigned long long mask_field(const char *path, const char *key)
{
	char line[256];
	FILE *f = fopen(path, "r");
	unsigned long long v = 0;
	size_t klen = strlen(key);

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			v = strtoull(line + klen + 1, NULL, 16);
	fclose(f);
	return v;
}

static unsigned long long bit(int sig)
{
	return 1ULL << (sig - 1);
}

/*
 * Runs in a fresh exec of this program that started with exactly SIGUSR2
 * blocked.
 */
static int check_masks(void)
{
	char path[320];
	struct dirent *d;
	DIR *dir;
	unsigned long long main_blk;
	int others = 0, bad = 0;
	size_t i;
	scmp_filter_ctx ctx;

	/* Make sure the runtime is fully up before looking. */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		fail("seccomp_init failed");
	seccomp_release(ctx);
	usleep(50 * 1000);

	main_blk = mask_field("/proc/self/status", "SigBlk");
	if (main_blk != bit(SIGUSR2))
		fail("main thread SigBlk is %016llx, want %016llx: the "
		     "library changed the host thread's signal mask",
		     main_blk, bit(SIGUSR2));

	dir = opendir("/proc/self/task");
	if (!dir)
		fail("opendir /proc/self/task: %s", strerror(errno));
	while ((d = readdir(dir)) != NULL) {
		unsigned long long blk;

		if (d->d_name[0] == '.' || atoi(d->d_name) == getpid())
			continue;
		others++;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
			 d->d_name);
		blk = mask_field(path, "SigBlk");
		for (i = 0; i < sizeof(async_probe) / sizeof(async_probe[0]);
		     i++) {
			if (!(blk & bit(async_probe[i]))) {
				fprintf(stderr, "thread %s: SigBlk %016llx "
					"leaves %s deliverable\n", d->d_name,
					blk, strsignal(async_probe[i]));
				bad++;
			}
		}
	}
	closedir(dir);
	if (others == 0)
		fail("no runtime threads found: is this our library?");
	if (bad)
		fail("%d signals deliverable on runtime threads", bad);
	printf("masks: main %016llx, %d runtime threads block the async "
	       "signals\n", main_blk, others);
	return 0;
}

static void run_check_masks(const char *self)
{
	sigset_t only, old;
	int status;
	pid_t pid;

	sigemptyset(&only);
	sigaddset(&only, SIGUSR2);
	sigprocmask(SIG_SETMASK, &only, &old);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		execl(self, self, "check-masks", (char *)NULL);
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!wait_child(pid, CHILD_TIMEOUT, &status))
		fail("mask check timed out");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("mask check %s", describe_status(status));
}

static volatile sig_atomic_t handled;

/*
 * Deliberately stack hungry: 4 KiB is more than a Go stack has spare,
 * and a few nested ones still fit a 32 KiB signal stack.
 */
#ifndef HANDLER_STACK
#define HANDLER_STACK 4096
#endif
static void heavy_handler(int sig)
{
	volatile char buf[HANDLER_STACK];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 64)
		buf[i] = (char)sig;
	handled++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A host thread that never calls the library: somewhere for process
 * signals to land while the main thread has them blocked in a call. */
static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void flood(void)
{
	static const int sigs[] = { SIGUSR1, SIGALRM, SIGCHLD, SIGPROF,
				    SIGWINCH };
	const size_t nsigs = sizeof(sigs) / sizeof(sigs[0]);
	struct sigaction sa;
	pthread_t idle;
	unsigned long calls = 0;
	int status;
	size_t i;
	double end;
	pid_t sender, parent = getpid();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = heavy_handler;
	sa.sa_flags = SA_RESTART; /* and no SA_ONSTACK */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < nsigs; i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			fail("sigaction: %s", strerror(errno));
	if (pthread_create(&idle, NULL, idle_thread, NULL) != 0)
		fail("pthread_create failed");

	sender = fork();
	if (sender < 0)
		fail("fork: %s", strerror(errno));
	if (sender == 0) {
		end = now() + FLOOD_SECONDS;
		for (i = 0; now() < end; i++) {
			if (kill(parent, sigs[i % nsigs]) < 0)
				_exit(0);
			if (i % 64 == 0)
				usleep(100);
		}
		_exit(0);
	}

	end = now() + FLOOD_SECONDS;
	while (now() < end) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		size_t len = 0;

		if (!ctx)
			fail("seccomp_init failed under signals");
		add_allowlist(ctx, SCMP_ACT_ERRNO(1), NULL);
		if (seccomp_precompute(ctx) != 0)
			fail("seccomp_precompute failed under signals");
#if HAVE_SCMP_2_6
		if (seccomp_export_bpf_mem(ctx, NULL, &len) != 0 || len == 0)
			fail("seccomp_export_bpf_mem failed under signals");
#endif
		seccomp_release(ctx);
		calls++;
	}
	if (!wait_child(sender, CHILD_TIMEOUT, &status))
		fail("signal sender hung");
	printf("flood: %lu filters built, %d signals handled\n", calls,
	       (int)handled);
	if (handled == 0)
		fail("no signal was delivered: the test tested nothing");
}

static volatile sig_atomic_t trap_nr = -1, trap_code = -1;
static volatile unsigned int trap_arch;

static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trap_nr = si->si_syscall;
	trap_arch = si->si_arch;
	trap_code = si->si_code;
}

static void trap(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		struct sigaction sa;
		scmp_filter_ctx ctx;
		int rc;

		no_core_dumps();
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sigsys_handler;
		sa.sa_flags = SA_SIGINFO;
		if (sigaction(SIGSYS, &sa, NULL) < 0)
			_exit(10);
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		if (!ctx)
			_exit(11);
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRAP,
				      SCMP_SYS(getppid), 0);
		if (rc == 0)
			rc = seccomp_load(ctx);
		if (rc != 0) {
			fprintf(stderr, "TRAP filter: %d\n", rc);
			_exit(12);
		}
		syscall(SYS_getppid);
		if (trap_nr != SYS_getppid) {
			fprintf(stderr, "SIGSYS si_syscall %d, want %d\n",
				(int)trap_nr, (int)SYS_getppid);
			_exit(13);
		}
		if (trap_arch != seccomp_arch_native() ||
		    trap_code != SYS_SECCOMP) {
			fprintf(stderr, "SIGSYS si_arch 0x%x si_code %d, want "
				"0x%x and %d\n", trap_arch, (int)trap_code,
				seccomp_arch_native(), SYS_SECCOMP);
			_exit(14);
		}
		/* The library still works after the trap was handled. */
		seccomp_release(ctx);
		_exit(0);
	}
	if (!wait_child(pid, CHILD_TIMEOUT, &status))
		fail("SIGSYS child hung");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("SIGSYS child %s", describe_status(status));
	printf("trap: the SIGSYS handler saw getppid\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "check-masks") == 0)
		return check_masks();
	run_check_masks("/proc/self/exe");
	flood();
	trap();
	return 0;
}
