/*
 * When a filter kills the host's only thread.
 *
 * SCMP_ACT_KILL (SECCOMP_RET_KILL_THREAD) ends the calling thread. With
 * libseccomp, a single-threaded program that breaks its own filter is
 * thereby gone: its parent sees it killed by SIGSYS. With us, the Go
 * runtime's threads are still there, parked, and would keep the process
 * alive forever.
 *
 * So a watcher thread waits for the main thread to end. If it ended
 * because seccomp killed it (its exit code is SIGSYS) and no thread of
 * the host is left, only the runtime's, the watcher ends the process the
 * way the kernel would have: killed by SIGSYS, without a core dump.
 *
 * The runtime's threads are told from the host's by their signal mask:
 * they all carry the one the runtime gives them (see block_before_go in
 * shim.c), recorded here when the watcher starts, and a host thread that
 * happens to carry exactly that mask is not a realistic case. Where the
 * picture is unclear (no runtime thread to learn the mask from, the main
 * thread ended some other way), the watcher does nothing.
 *
 * The watcher only exists where the library was loaded by the main
 * thread (linked, or LD_PRELOAD); a forked child has no runtime threads
 * and needs none.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#include "shim.h"

static pthread_t main_thread;
static pthread_t watcher;
static char runtime_mask[32]; /* SigBlk of the runtime's threads, as text */

/* field reads the value of "Name:" from /proc/self/task/TID/status. */
static int field(pid_t tid, const char *name, char *out, size_t n)
{
	char path[64], line[256];
	size_t len = strlen(name);
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, name, len) == 0) {
			snprintf(out, n, "%s", line + len + strspn(line + len, " \t"));
			out[strcspn(out, "\n")] = '\0';
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* exit_code returns the exit code of the main thread, a zombie now. */
static int exit_code(void)
{
	char path[64], buf[1024], *p;
	int code = -1, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)getpid());
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL) {
		/* Fields after the name start at 3 (state); exit_code is 52. */
		for (i = 3; p != NULL && i <= 52; i++) {
			p = strchr(p + 1, ' ');
			if (p != NULL && i == 52)
				code = atoi(p + 1);
		}
	}
	fclose(f);
	return code;
}

/*
 * host_threads_left reports whether a thread other than the main one,
 * this watcher and the runtime's is alive; with learn set it records the
 * runtime's mask from the threads there are instead, and fails if they
 * disagree.
 */
static int host_threads_left(int learn)
{
	pid_t self = learn ? getpid() : (pid_t)syscall(SYS_gettid);
	char mask[sizeof(runtime_mask)];
	struct dirent *d;
	int left = 0, seen = 0;
	DIR *dir = opendir("/proc/self/task");

	if (dir == NULL)
		return 1;
	while ((d = readdir(dir)) != NULL) {
		pid_t tid = (pid_t)atoi(d->d_name);

		if (tid <= 0 || tid == getpid() || tid == self)
			continue;
		if (!field(tid, "SigBlk:", mask, sizeof(mask))) {
			left = 1;
			continue;
		}
		if (learn && !seen)
			memcpy(runtime_mask, mask, sizeof(mask));
		seen = 1;
		if (strcmp(mask, runtime_mask) != 0)
			left = 1;
	}
	closedir(dir);
	return left || (learn && !seen);
}

static void *watch(void *arg)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t sys;

	(void)arg;
	/* Nothing but this wait until the main thread ends: a filter
	 * loaded with TSYNC may deny this thread any syscall. */
	if (pthread_join(main_thread, NULL) != 0)
		return NULL;
	if (exit_code() != SIGSYS || host_threads_left(0))
		return NULL;

	/* Die as the kernel kills a process whose last thread seccomp
	 * killed: by SIGSYS, no core. */
	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGSYS, SIG_DFL);
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGSYS);
	_exit(128 + SIGSYS); /* not reached */
}

void st_watch_leader(void)
{
	pthread_attr_t attr;
	sigset_t all, old;

	if ((pid_t)syscall(SYS_gettid) != getpid())
		return; /* not the main thread: nothing to join */
	/* Learn the runtime's mask now, while only its threads and the
	 * main one exist; if that is not the picture, stand down. */
	if (host_threads_left(1)) {
		runtime_mask[0] = '\0';
		return;
	}
	main_thread = pthread_self();
	if (pthread_attr_init(&attr) != 0)
		return;
	pthread_attr_setstacksize(&attr, 64 * 1024);
	/* The watcher takes no signals: they are the host's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_create(&watcher, &attr, watch, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

/*
 * The watcher is not stopped at exit: like the runtime's threads it ends
 * with the process. Stopping it took pthread_cancel, whose unwinding made
 * glibc load libgcc_s at every exit, about 2 ms of a process's life. A
 * leak checker reports its thread's TLS as "possibly lost", as it does the
 * runtime's threads' (c_tests/go-runtime.supp names both).
 */

/*
 * st_runtime_quiet waits, at most timeout_ms, until every thread of the
 * runtime sits in futex(2), and reports whether they do.
 *
 * A TSYNC filter reaches the runtime's threads too, and a strict one
 * denies what they call while they are awake: its monitor thread polls
 * with nanosleep(2) for a while after every call into Go. Once the
 * runtime is idle it parks every thread in a futex wait, for a minute or
 * more with collection turned off. Loading the filter then leaves the
 * runtime asleep for as long as the host does not call into it, which is
 * what a host that filters every thread has to expect anyway. It is a
 * wait, not a guarantee: see README, "TSYNC".
 */
int st_runtime_quiet(int timeout_ms)
{
	pid_t self = (pid_t)syscall(SYS_gettid);
	struct timespec pause = { 0, 1000 * 1000 };
	char mask[sizeof(runtime_mask)], path[64], buf[32];
	int waited;

	if (runtime_mask[0] == '\0')
		return 0; /* never learnt which threads are the runtime's */
	for (waited = 0; waited <= timeout_ms; waited++) {
		struct dirent *d;
		int busy = 0;
		DIR *dir = opendir("/proc/self/task");

		if (dir == NULL)
			return 0;
		while (!busy && (d = readdir(dir)) != NULL) {
			pid_t tid = (pid_t)atoi(d->d_name);
			FILE *f;

			if (tid <= 0 || tid == self ||
			    !field(tid, "SigBlk:", mask, sizeof(mask)) ||
			    strcmp(mask, runtime_mask) != 0)
				continue;
			snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
			f = fopen(path, "re");
			if (f == NULL)
				continue;
			if (fgets(buf, sizeof(buf), f) == NULL || atol(buf) != SYS_futex)
				busy = 1;
			fclose(f);
		}
		closedir(dir);
		if (!busy)
			return 1;
		nanosleep(&pause, NULL);
	}
	return 0;
}
