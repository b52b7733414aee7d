/*
 * Helpers shared by the c_tests programs.
 *
 * Each test is one small main() that uses libseccomp the way an ordinary
 * consumer would; this header only holds the boilerplate they would all
 * otherwise repeat (the big allowlist, export plumbing, fork/wait).
 * Everything is static inline so a test that ignores a helper still builds
 * under -Wall -Wextra -Werror.
 */
#ifndef C_TESTS_COMMON_H
#define C_TESTS_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <seccomp.h>

/*
 * seccomp_export_bpf_mem(), the transaction calls and SCMP_FLTATR_CTL_WAITKILL
 * arrived in 2.6; keep the tests buildable against an older system header so
 * they can be developed and sanity-checked against the distribution library.
 */
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define HAVE_SCMP_2_6 1
#else
#define HAVE_SCMP_2_6 0
#endif

/*
 * Seconds a forked child may run before we call it hung; a healthy one
 * needs milliseconds.
 */
#define CHILD_TIMEOUT 10

static inline void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * A typical server allowlist: everything a libc program, a threaded runtime
 * and a network daemon may need, minus the system-administration calls.
 * The last names exist only on other architectures; they resolve to negative
 * (pseudo) numbers here and must be skipped, as a portable program would.
 */
static const char *const allowlist_names[] = {
	"read", "write", "open", "close", "stat", "fstat", "lstat", "poll", "lseek",
	"mmap", "mprotect", "munmap", "brk", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "ioctl", "pread64", "pwrite64", "readv", "writev", "access",
	"pipe", "select", "sched_yield", "mremap", "msync", "mincore", "madvise",
	"shmget", "shmat", "shmctl", "dup", "dup2", "pause", "nanosleep",
	"getitimer", "alarm", "setitimer", "getpid", "sendfile", "socket",
	"connect", "accept", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown",
	"bind", "listen", "getsockname", "getpeername", "socketpair", "setsockopt",
	"getsockopt", "clone", "fork", "vfork", "execve", "exit", "wait4", "kill",
	"uname", "semget", "semop", "semctl", "shmdt", "msgget", "msgsnd", "msgrcv",
	"msgctl", "fcntl", "flock", "fsync", "fdatasync", "truncate", "ftruncate",
	"getdents", "getcwd", "chdir", "fchdir", "rename", "mkdir", "rmdir",
	"creat", "link", "unlink", "symlink", "readlink", "chmod", "fchmod",
	"chown", "fchown", "lchown", "umask", "gettimeofday", "getrlimit",
	"getrusage", "sysinfo", "times", "getuid", "getgid", "setuid", "setgid",
	"geteuid", "getegid", "setpgid", "getppid", "getpgrp", "setsid", "setreuid",
	"setregid", "getgroups", "setgroups", "setresuid", "getresuid", "setresgid",
	"getresgid", "getpgid", "setfsuid", "setfsgid", "getsid", "capget",
	"capset", "rt_sigpending", "rt_sigtimedwait", "rt_sigqueueinfo",
	"rt_sigsuspend", "sigaltstack", "utime", "mknod", "personality", "statfs",
	"fstatfs", "getpriority", "setpriority", "sched_setparam", "sched_getparam",
	"sched_setscheduler", "sched_getscheduler", "sched_get_priority_max",
	"sched_get_priority_min", "sched_rr_get_interval", "mlock", "munlock",
	"mlockall", "munlockall", "prctl", "arch_prctl", "setrlimit", "chroot",
	"sync", "gettid", "readahead", "setxattr", "lsetxattr", "fsetxattr",
	"getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr",
	"flistxattr", "removexattr", "lremovexattr", "fremovexattr", "tkill",
	"futex", "sched_setaffinity", "sched_getaffinity", "set_thread_area",
	"io_setup", "io_destroy", "io_getevents", "io_submit", "io_cancel",
	"get_thread_area", "epoll_create", "getdents64", "set_tid_address",
	"restart_syscall", "semtimedop", "fadvise64", "timer_create",
	"timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
	"clock_gettime", "clock_getres", "clock_nanosleep", "exit_group",
	"epoll_wait", "epoll_ctl", "tgkill", "utimes", "mbind", "set_mempolicy",
	"get_mempolicy", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
	"mq_notify", "mq_getsetattr", "waitid", "ioprio_set", "ioprio_get",
	"inotify_init", "inotify_add_watch", "inotify_rm_watch", "openat",
	"mkdirat", "mknodat", "fchownat", "futimesat", "newfstatat", "unlinkat",
	"renameat", "linkat", "symlinkat", "readlinkat", "fchmodat", "faccessat",
	"pselect6", "ppoll", "unshare", "set_robust_list", "get_robust_list",
	"splice", "tee", "sync_file_range", "vmsplice", "utimensat", "epoll_pwait",
	"signalfd", "timerfd_create", "eventfd", "fallocate", "timerfd_settime",
	"timerfd_gettime", "accept4", "signalfd4", "eventfd2", "epoll_create1",
	"dup3", "pipe2", "inotify_init1", "preadv", "pwritev", "rt_tgsigqueueinfo",
	"recvmmsg", "prlimit64", "syncfs", "sendmmsg", "setns", "getcpu",
	"sched_setattr", "sched_getattr", "renameat2", "seccomp", "getrandom",
	"memfd_create", "execveat", "membarrier", "mlock2", "copy_file_range",
	"preadv2", "pwritev2", "pkey_mprotect", "pkey_alloc", "pkey_free", "statx",
	"io_pgetevents", "rseq", "pidfd_send_signal", "io_uring_setup",
	"io_uring_enter", "io_uring_register", "pidfd_open", "clone3",
	"close_range", "openat2", "pidfd_getfd", "faccessat2", "process_madvise",
	"epoll_pwait2", "landlock_create_ruleset", "landlock_add_rule",
	"landlock_restrict_self", "futex_waitv", "cachestat", "fchmodat2",
	"futex_wake", "futex_wait", "futex_requeue", "mseal",
	/* names that only exist on other architectures */
	"socketcall", "ipc", "mmap2", "_llseek", "fstat64", "stat64",
	"fcntl64", "sigreturn", "waitpid", "arm_fadvise64_64", "cacheflush",
};

#define ALLOWLIST_LEN (sizeof(allowlist_names) / sizeof(allowlist_names[0]))

/*
 * Add a rule with @action for every allowlist name that exists on the native
 * architecture.  Names that resolve to a negative number are counted in
 * @skipped and left out.  Returns the number of rules added.
 */
static inline unsigned int add_allowlist(scmp_filter_ctx ctx, uint32_t action,
					 unsigned int *skipped)
{
	unsigned int added = 0, skip = 0;
	size_t i;

	for (i = 0; i < ALLOWLIST_LEN; i++) {
		int nr = seccomp_syscall_resolve_name(allowlist_names[i]);
		int rc;

		if (nr < 0) {
			skip++;
			continue;
		}
		rc = seccomp_rule_add(ctx, action, nr, 0);
		if (rc != 0)
			fail("seccomp_rule_add(%s = %d) returned %d (%s)",
			     allowlist_names[i], nr, rc, strerror(-rc));
		added++;
	}
	if (skipped)
		*skipped = skip;
	return added;
}

/*
 * The syscall the allowlist never permits.  ptrace() with an invalid request
 * on pid 0 only ever fails with ESRCH, so even a filter that wrongly lets it
 * through cannot do harm, and ESRCH is distinguishable from any errno a
 * filter is configured to return.
 */
static inline long forbidden_syscall(void)
{
	return syscall(SYS_ptrace, -1L, 0L, 0L, 0L);
}

/* Read everything seccomp_export_bpf() writes, via an anonymous memfd. */
static inline void *export_bpf_fd(scmp_filter_ctx ctx, size_t *len)
{
	struct stat st;
	void *buf;
	int fd, rc;

	fd = memfd_create("bpf", MFD_CLOEXEC);
	if (fd < 0)
		fail("memfd_create: %s", strerror(errno));
	rc = seccomp_export_bpf(ctx, fd);
	if (rc != 0)
		fail("seccomp_export_bpf returned %d (%s)", rc, strerror(-rc));
	if (fstat(fd, &st) != 0)
		fail("fstat: %s", strerror(errno));
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		fail("out of memory");
	if (pread(fd, buf, st.st_size, 0) != st.st_size)
		fail("short read of exported program");
	close(fd);
	*len = st.st_size;
	return buf;
}

/*
 * Export the filter every way the API offers and insist they agree: to
 * /dev/null, to a memfd and (2.6) to memory, including the size query with
 * a NULL buffer and the too-small-buffer case.  Returns the program length
 * in instructions.
 */
static inline size_t export_and_compare(scmp_filter_ctx ctx)
{
	size_t fd_len;
	void *fd_prog;
	int devnull, rc;

	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0)
		fail("open /dev/null: %s", strerror(errno));
	rc = seccomp_export_bpf(ctx, devnull);
	if (rc != 0)
		fail("seccomp_export_bpf(/dev/null) returned %d", rc);
	close(devnull);

	fd_prog = export_bpf_fd(ctx, &fd_len);
	/* a struct sock_filter is 8 bytes; anything else is not a program */
	if (fd_len == 0 || fd_len % 8 != 0)
		fail("exported program is %zu bytes, not a whole number of instructions",
		     fd_len);

#if HAVE_SCMP_2_6
	{
		size_t len = 0, small;
		void *mem;

		rc = seccomp_export_bpf_mem(ctx, NULL, &len);
		if (rc != 0)
			fail("seccomp_export_bpf_mem(NULL buf) returned %d", rc);
		if (len != fd_len)
			fail("size query says %zu bytes, fd export wrote %zu",
			     len, fd_len);

		mem = malloc(len);
		if (!mem)
			fail("out of memory");

		/* too small: -ERANGE, and len tells us what we need */
		small = len - 8;
		rc = seccomp_export_bpf_mem(ctx, mem, &small);
		if (rc != -ERANGE)
			fail("seccomp_export_bpf_mem with short buffer returned %d, want %d",
			     rc, -ERANGE);
		if (small != fd_len)
			fail("short buffer: len updated to %zu, want %zu",
			     small, fd_len);

		/* a generous buffer: len shrinks to the real size */
		len = fd_len + 64;
		free(mem);
		mem = calloc(1, len);
		if (!mem)
			fail("out of memory");
		rc = seccomp_export_bpf_mem(ctx, mem, &len);
		if (rc != 0)
			fail("seccomp_export_bpf_mem returned %d", rc);
		if (len != fd_len)
			fail("seccomp_export_bpf_mem wrote %zu bytes, fd export %zu",
			     len, fd_len);
		if (memcmp(mem, fd_prog, fd_len) != 0)
			fail("seccomp_export_bpf_mem and seccomp_export_bpf disagree");
		free(mem);
	}
#endif
	free(fd_prog);
	return fd_len / 8;
}

/*
 * A child killed on purpose should not leave core files behind; with a piped
 * core_pattern RLIMIT_CORE alone is not enough, so also drop dumpability.
 */
static inline void no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/*
 * Wait for @pid for at most @secs seconds.  A child that outlives that is
 * killed and reaped, and false is returned, so a hang becomes a readable
 * failure instead of the runner's blunt timeout.
 */
static inline bool wait_child(pid_t pid, unsigned int secs, int *status)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct timespec now, end;

	/* A deadline, not a count of ticks: under a signal flood every
	 * nanosleep returns at once. */
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += secs;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			fail("waitpid: %s", strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return false;
}

/* Read a pipe to EOF into a NUL-terminated buffer. */
static inline void read_all(int fd, char *buf, size_t size);

/*
 * Fork a child that reports through a pipe: it runs child(arg, fd), which
 * must not return. The parent waits at most CHILD_TIMEOUT seconds (see
 * wait_child), then reads everything the child wrote into out. Returns
 * whether the child ended on its own; *status is its wait status.
 */
static inline bool fork_reporting(void (*child)(void *arg, int fd), void *arg,
				  int *status, char *out, size_t size)
{
	int pipefd[2];
	bool exited;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		fail("pipe2: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(pipefd[0]);
		child(arg, pipefd[1]);
		_exit(127);
	}
	close(pipefd[1]);
	/* Wait before reading: a child writes far less than a pipe holds,
	 * and one that never dies must not block us in read(). */
	exited = wait_child(pid, CHILD_TIMEOUT, status);
	read_all(pipefd[0], out, size);
	close(pipefd[0]);
	return exited;
}

/* Human-readable wait status, for failure messages. */
static inline const char *describe_status(int status)
{
	static char buf[96];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exited with status %d",
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "wait status 0x%x", status);
	return buf;
}

/*
 * Value of a numeric "Key:" line of /proc/self/status, or -1.  Uses only
 * open/read/close so it is safe to call under a tight filter.
 */
static inline long proc_status_field(const char *key)
{
	char buf[4096], *p;
	size_t klen = strlen(key);
	ssize_t n, got = 0;
	int fd;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';

	for (p = buf; p; ) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static inline void read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("read from child: %s", strerror(errno));
		}
		got += n;
	}
	buf[got] = '\0';
}

#endif /* C_TESTS_COMMON_H */
