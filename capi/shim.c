/*
 * The public entry points of libseccomp.so.2.
 *
 * Each is defined here, against seccomp.h, so that the compiler checks our
 * prototypes against the public header, and calls its Go counterpart
 * (stgo_*). Variadic functions and everything that must not run Go code
 * (installing a filter, the notification ioctls) live here entirely.
 *
 * The library runs inside processes it did not write, so this file also
 * keeps the Go runtime out of the host's way:
 *
 *  - Signals. A host handler installed without SA_ONSTACK runs on
 *    whatever stack the thread is on; on a Go stack that is fatal. The
 *    runtime's own threads therefore start with every asynchronous
 *    signal blocked (see block_before_go), and every call into Go blocks
 *    them on the calling thread for its duration (enter/leave).
 *  - fork(). One lock is held across every call into Go, and fork waits
 *    for it (pthread_atfork), so no child starts with the runtime in the
 *    middle of a call. A child gets its own copy of the lock.
 *  - Loading. The generated program lives here in C memory, so that
 *    seccomp_load of a precomputed context runs no Go code at all: it is
 *    safe in a child forked without exec, and nothing of Go runs on a
 *    thread after its filter is installed.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>

#include <seccomp.h>

#include "shim.h"
#include "_cgo_export.h"

#define API __attribute__((visibility("default")))

#define HANDLE(ctx) ((uintptr_t)(ctx))

/* A rule compares at most this many arguments. */
#define ARGS_MAX 6

/* Added in Linux 5.7; older uapi headers lack it. */
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The listener fd of the first filter loaded with user notification. */
static int notify_fd = -1;

/* ---- signals, the API lock and fork ---------------------------------- */

/*
 * Everything but the signals a thread raises itself by faulting: those
 * must stay deliverable, to the runtime (a Go fault) or to the host (a
 * SIGSYS from SCMP_ACT_TRAP). SIGKILL and SIGSTOP cannot be blocked and
 * glibc keeps its internal signals deliverable whatever we ask.
 */
static sigset_t async_signals;

static pthread_mutex_t api_lock = PTHREAD_MUTEX_INITIALIZER;

/* Set in a child forked without exec: the runtime's threads are gone. */
static int in_child;

/* Set on a thread that loaded a filter through us; process-wide (in
 * all_filtered) after a TSYNC load. */
static __thread int thread_filtered;
static int all_filtered;
/* Set once any thread loaded a filter through us (see leader.c). */
int st_any_filtered;

uintptr_t st_released[ST_RELEASE_QUEUE];
int st_nreleased;

/* The forking thread's mask, while it holds the lock across fork(). */
static sigset_t fork_mask;

/*
 * Nothing of ours may be in the middle of a call when the process forks,
 * so fork waits for the lock, and for the fast path's (fast.c). The
 * runtime's own threads keep running; so that none is inside the
 * scheduler at the fork, fork.c holds the runtime's scheduler lock across
 * it too (taken last, released first).
 */
static void fork_prepare(void)
{
	pthread_sigmask(SIG_BLOCK, &async_signals, &fork_mask);
	pthread_mutex_lock(&api_lock);
	st_fast_fork_prepare();
	st_fork_prepare_runtime(thread_filtered || all_filtered);
}

static void fork_parent(void)
{
	st_fork_parent_runtime();
	st_fast_fork_parent();
	pthread_mutex_unlock(&api_lock);
	pthread_sigmask(SIG_SETMASK, &fork_mask, NULL);
}

static void fork_child(void)
{
	in_child = 1;
	st_fast_fork_child();
	pthread_mutex_init(&api_lock, NULL);
	st_fork_child_runtime();
	pthread_sigmask(SIG_SETMASK, &fork_mask, NULL);
}

/* The mask of the thread that runs the constructors (normally the host's
 * main thread), while the runtime starts. */
static sigset_t host_mask;
static int host_mask_saved;

/*
 * The Go runtime's constructor starts the runtime on a new thread, which
 * inherits the constructing thread's signal mask; the runtime records
 * that mask and gives it to every thread it creates later. Blocking the
 * asynchronous signals before that constructor runs is therefore enough
 * to keep them off every runtime thread for good. Priority 101 sorts
 * this constructor ahead of every unprioritised one, the runtime's
 * included; restore_after_go, unprioritised and linked after the
 * runtime's object, puts the host thread's own mask back. The order is
 * checked by c_tests/host_signals.c.
 */
__attribute__((constructor(101))) static void block_before_go(void)
{
	static const int sync_signals[] = {
		SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS,
	};
	size_t i;

	sigfillset(&async_signals);
	for (i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
		sigdelset(&async_signals, sync_signals[i]);
	host_mask_saved =
		pthread_sigmask(SIG_BLOCK, &async_signals, &host_mask) == 0;
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static void enter(sigset_t *saved);
static void leave(const sigset_t *saved);

/*
 * Before the host thread's mask comes back, this also waits for the
 * runtime to finish starting (a first call does): a host that forks
 * early would otherwise give its child a runtime that is half started
 * and whose starting thread does not exist there.
 */
__attribute__((constructor)) static void restore_after_go(void)
{
	sigset_t saved;

	enter(&saved);
	stgo_ready();
	leave(&saved);
	seccomp_arch_native(); /* cached from now on */
	st_watch_leader();
	if (host_mask_saved)
		pthread_sigmask(SIG_SETMASK, &host_mask, NULL);
	host_mask_saved = 0;
}

/*
 * Around every call into Go: the signals first, so that no handler can
 * run (and call us) on this thread while it holds the lock.
 */
static void unamend(void);

static void enter(sigset_t *saved)
{
	pthread_sigmask(SIG_BLOCK, &async_signals, saved);
	pthread_mutex_lock(&api_lock);
	unamend();
}

static void leave(const sigset_t *saved)
{
	int e = errno;

	pthread_mutex_unlock(&api_lock);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
	errno = e;
}

/* GUARDED(type, expr) evaluates expr between enter and leave. */
#define GUARDED(type, expr)                                             \
	({                                                              \
		sigset_t saved_;                                        \
		type r_;                                                \
		enter(&saved_);                                         \
		r_ = (expr);                                            \
		leave(&saved_);                                         \
		r_;                                                     \
	})

#define GUARDED_VOID(expr)                                              \
	do {                                                            \
		sigset_t saved_;                                        \
		enter(&saved_);                                         \
		expr;                                                   \
		leave(&saved_);                                         \
	} while (0)

/*
 * The runtime unblocks these on every thread it starts, whatever mask
 * it inherited: SIGCHLD, SIGPROF, 34 (glibc's SIGRTMIN) always, SIGURG
 * unless async preemption is off (the Makefile turns it off). Its
 * threads idle on their pthread stacks, where a host handler runs
 * safely; only around a collection do they run Go code on small Go
 * stacks.
 */
static const int go_unblocked[] = { SIGCHLD, SIGPROF, SIGURG, 34 };
#define NGO_UNBLOCKED (sizeof(go_unblocked) / sizeof(go_unblocked[0]))

/* The host's actions we amended around a collection. */
static struct sigaction amended[NGO_UNBLOCKED];
static int amended_set[NGO_UNBLOCKED];
static int amended_any;
static struct timespec collected_at;

/* How long after a collection the runtime may still run Go code on
 * its threads: the worker that finished the cycle, the sweeper and the
 * scavenger wind down within microseconds; this is a wide margin. */
#define SETTLE_NS (100 * 1000 * 1000LL)

/*
 * Put back the host's actions that st_collect_begin amended, unless the
 * host changed them since. Called on entry to the library, once the
 * runtime has settled after the last collection.
 */
static void unamend(void)
{
	struct timespec now;
	size_t i;

	if (!amended_any)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - collected_at.tv_sec) * 1000000000LL +
	    (now.tv_nsec - collected_at.tv_nsec) < SETTLE_NS)
		return;
	amended_any = 0;
	for (i = 0; i < NGO_UNBLOCKED; i++) {
		struct sigaction cur;

		if (!amended_set[i])
			continue;
		amended_set[i] = 0;
		if (sigaction(go_unblocked[i], NULL, &cur) == 0 &&
		    cur.sa_handler == amended[i].sa_handler &&
		    cur.sa_flags == (amended[i].sa_flags | SA_ONSTACK))
			sigaction(go_unblocked[i], &amended[i], NULL);
	}
}

/*
 * st_collect_begin says whether a collection may run now, and if so
 * prepares for one: from now until the runtime has settled after it, a
 * host handler of the signals above that lacks SA_ONSTACK has it, so
 * that on a runtime thread it runs on the thread's signal stack (the
 * runtime gives every thread one) instead of a Go stack. The host's own
 * threads have no signal stack unless the host gave them one, and then
 * the handler uses that, which is the only visible difference.
 */
int st_collect_begin(void)
{
	size_t i;

	if (in_child || thread_filtered || all_filtered)
		return 0;
	for (i = 0; i < NGO_UNBLOCKED; i++) {
		struct sigaction sa;

		if (amended_set[i] ||
		    sigaction(go_unblocked[i], NULL, &sa) < 0 ||
		    (sa.sa_flags & SA_ONSTACK) ||
		    (!(sa.sa_flags & SA_SIGINFO) &&
		     (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN)))
			continue;
		amended[i] = sa;
		sa.sa_flags |= SA_ONSTACK;
		if (sigaction(go_unblocked[i], &sa, NULL) == 0)
			amended_set[i] = amended_any = 1;
	}
	return 1;
}

void st_collect_end(void)
{
	clock_gettime(CLOCK_MONOTONIC, &collected_at);
}

/* ---- programs kept for seccomp_load ---------------------------------- */

struct cached {
	struct cached *next;
	uintptr_t handle;
	struct st_load ld;
};

/* Few contexts are alive at a time; a list is enough. Guarded by
 * api_lock. */
static struct cached *cache;

static struct cached **cache_slot(uintptr_t handle)
{
	struct cached **p;

	for (p = &cache; *p != NULL; p = &(*p)->next)
		if ((*p)->handle == handle)
			break;
	return p;
}

void st_cache_drop(uintptr_t handle)
{
	struct cached **p = cache_slot(handle);
	struct cached *c = *p;

	if (c == NULL)
		return;
	*p = c->next;
	free(c->ld.prog);
	free(c);
}

int st_cache_put(uintptr_t handle, const struct st_load *ld)
{
	struct cached *c;

	st_cache_drop(handle);
	c = malloc(sizeof(*c));
	if (c == NULL) {
		free(ld->prog);
		return -ENOMEM;
	}
	c->handle = handle;
	c->ld = *ld;
	c->next = cache;
	cache = c;
	return 0;
}

static const struct st_load *cache_find(uintptr_t handle)
{
	struct cached *c = *cache_slot(handle);

	return c ? &c->ld : NULL;
}

API const struct scmp_version *seccomp_version(void)
{
	static const struct scmp_version v = {
		.major = SCMP_VER_MAJOR,
		.minor = SCMP_VER_MINOR,
		.micro = SCMP_VER_MICRO,
	};
	return &v;
}

API unsigned int seccomp_api_get(void)
{
	return GUARDED(unsigned int, stgo_api_get());
}

API int seccomp_api_set(unsigned int level)
{
	return GUARDED(int, stgo_api_set(level));
}

API scmp_filter_ctx seccomp_init(uint32_t def_action)
{
	return (scmp_filter_ctx)GUARDED(uintptr_t, stgo_init(def_action));
}

/* Like libseccomp's, a global reset also forgets the listener fd. */
static int reset_global(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
	return stgo_reset_global();
}

API int seccomp_reset(scmp_filter_ctx ctx, uint32_t def_action)
{
	if (ctx == NULL)
		return GUARDED(int, reset_global());
	return GUARDED(int, stgo_reset(HANDLE(ctx), def_action));
}

/*
 * Releasing needs no Go and no syscall: the program is freed here and
 * the handle queued for Go to forget on its next call. A thread under a
 * strict filter can thus release the contexts it loaded.
 */
static void release(uintptr_t handle)
{
	if (handle == 0)
		return;
	st_cache_drop(handle);
	st_fast_drop(handle);
	if (st_nreleased < ST_RELEASE_QUEUE)
		st_released[st_nreleased++] = handle;
	else if (!thread_filtered)
		stgo_release(handle); /* drains the queue too */
	/* else: a full queue on a filtered thread; Go keeps the handle
	 * registered rather than run under the caller's filter. */
}

API void seccomp_release(scmp_filter_ctx ctx)
{
	/*
	 * A thread that installed a filter may be allowed nothing but what
	 * its program needs: release without touching the signal mask. Go
	 * never runs here then (see release), so the mask does not matter.
	 */
	if (thread_filtered) {
		pthread_mutex_lock(&api_lock);
		release(HANDLE(ctx));
		pthread_mutex_unlock(&api_lock);
		return;
	}
	GUARDED_VOID(release(HANDLE(ctx)));
}

API int seccomp_merge(scmp_filter_ctx ctx_dst, scmp_filter_ctx ctx_src)
{
	return GUARDED(int, stgo_merge(HANDLE(ctx_dst), HANDLE(ctx_src)));
}

API uint32_t seccomp_arch_resolve_name(const char *arch_name)
{
	return GUARDED(uint32_t, stgo_arch_resolve_name((char *)arch_name));
}

API uint32_t seccomp_arch_native(void)
{
	/* Asked once, by the constructor; it never changes. */
	static uint32_t native;
	uint32_t t = __atomic_load_n(&native, __ATOMIC_RELAXED);

	if (t == 0) {
		t = GUARDED(uint32_t, stgo_arch_native());
		__atomic_store_n(&native, t, __ATOMIC_RELAXED);
	}
	return t;
}

API int seccomp_arch_exist(const scmp_filter_ctx ctx, uint32_t arch_token)
{
	return GUARDED(int, stgo_arch_exist(HANDLE(ctx), arch_token));
}

API int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token)
{
	return GUARDED(int, stgo_arch_add(HANDLE(ctx), arch_token));
}

API int seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch_token)
{
	return GUARDED(int, stgo_arch_remove(HANDLE(ctx), arch_token));
}

/*
 * Installing happens here rather than in Go: once the filter is on this
 * thread, a Go call that needs a syscall the filter denies would kill or
 * break the caller, so no Go code runs after the seccomp(2) call. The
 * flags and results follow libseccomp: TSYNC_ESRCH, which makes room for
 * the listener fd in the return value, is used whenever no listener
 * exists yet, and the kernel's ESRCH is then reported like any other
 * failure (-ECANCELED unless SYSRAWRC); a thread id returned by a plain
 * TSYNC becomes -ESRCH.
 */
static int install(const struct st_load *ld)
{
	struct sock_fprog fprog = { .len = ld->len, .filter = ld->prog };
	unsigned int flags = ld->flags;
	int listener = ld->listener && notify_fd == -1;
	long rc;

	if (ld->tsync && notify_fd == -1)
		flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	if (listener) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (ld->waitkill)
			flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}

	if (ld->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ld->rawrc ? -errno : -ECANCELED;
#ifdef __NR_seccomp
	rc = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
	if (rc < 0 && errno == ENOSYS && flags == 0)
		rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
#else
	if (flags != 0) {
		errno = EOPNOTSUPP;
		rc = -1;
	} else
		rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
#endif
	if (rc < 0)
		return ld->rawrc ? -errno : -ECANCELED;
	if (rc > 0 && listener) {
		notify_fd = rc;
		rc = 0;
	} else if (rc > 0 && ld->tsync)
		return -ESRCH; /* rc is the id of a thread that could not sync */
	thread_filtered = 1;
	st_any_filtered = 1;
	if (ld->tsync)
		all_filtered = 1;
	return 0;
}

/*
 * A context whose program is known (after seccomp_precompute, an export
 * or an earlier load, with no change since) is installed without calling
 * Go; otherwise Go generates the program first. Either way the program
 * is found under the lock, and installed after the caller's signal mask
 * is back and the lock released: under a strict filter the thread may
 * make no syscall at all after seccomp(2), not even rt_sigprocmask.
 */
static int find_program(uintptr_t handle, struct st_load *out)
{
	const struct st_load *ld = cache_find(handle);
	int rc;

	if (ld == NULL) {
		rc = stgo_load_prepare(handle);
		if (rc < 0)
			return rc;
		ld = cache_find(handle);
		if (ld == NULL)
			return -EFAULT;
	}
	*out = *ld;
	return 0;
}

API int seccomp_load(const scmp_filter_ctx ctx)
{
	struct st_load ld;
	int rc = GUARDED(int, find_program(HANDLE(ctx), &ld));

	if (rc < 0)
		return rc;
	/* With TSYNC the filter lands on the runtime's threads as well: let
	 * them park first (see st_runtime_quiet). */
	if (ld.tsync && !in_child)
		st_runtime_quiet(250);
	/* ld.prog stays valid: only calls on this context free it, and
	 * like libseccomp we leave concurrent calls on one context to the
	 * caller to order. */
	return install(&ld);
}

API int seccomp_attr_get(const scmp_filter_ctx ctx,
			 enum scmp_filter_attr attr, uint32_t *value)
{
	return GUARDED(int, stgo_attr_get(HANDLE(ctx), attr, value));
}

API int seccomp_attr_set(scmp_filter_ctx ctx,
			 enum scmp_filter_attr attr, uint32_t value)
{
	return GUARDED(int, stgo_attr_set(HANDLE(ctx), attr, value));
}

API char *seccomp_syscall_resolve_num_arch(uint32_t arch_token, int num)
{
	return GUARDED(char *, stgo_syscall_resolve_num_arch(arch_token, num));
}

API int seccomp_syscall_resolve_name_arch(uint32_t arch_token,
					  const char *name)
{
	int nr;

	if (arch_token == SCMP_ARCH_NATIVE && st_name_lookup(name, &nr))
		return nr;
	return GUARDED(int, stgo_syscall_resolve_name_arch(arch_token,
							   (char *)name, 0));
}

API int seccomp_syscall_resolve_name_rewrite(uint32_t arch_token,
					     const char *name)
{
	return GUARDED(int, stgo_syscall_resolve_name_arch(arch_token,
							   (char *)name, 1));
}

API int seccomp_syscall_resolve_name(const char *name)
{
	int nr;

	if (st_name_lookup(name, &nr))
		return nr;
	return GUARDED(int, stgo_syscall_resolve_name_arch(SCMP_ARCH_NATIVE,
							   (char *)name, 0));
}

API int seccomp_syscall_priority(scmp_filter_ctx ctx, int syscall,
				 uint8_t priority)
{
	return GUARDED(int, stgo_syscall_priority(HANDLE(ctx), syscall,
						  priority));
}

static int rule_add(scmp_filter_ctx ctx, uint32_t action, int syscall,
		    unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array,
		    int exact)
{
	if (st_fast_rule(HANDLE(ctx), action, syscall, exact, arg_cnt,
			 arg_array))
		return 0;
	return GUARDED(int, stgo_rule_add(HANDLE(ctx), action, syscall,
					  arg_cnt,
					  (struct scmp_arg_cmp *)arg_array,
					  exact));
}

API int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action,
			       int syscall, unsigned int arg_cnt,
			       const struct scmp_arg_cmp *arg_array)
{
	return rule_add(ctx, action, syscall, arg_cnt, arg_array, 0);
}

API int seccomp_rule_add_exact_array(scmp_filter_ctx ctx, uint32_t action,
				     int syscall, unsigned int arg_cnt,
				     const struct scmp_arg_cmp *arg_array)
{
	return rule_add(ctx, action, syscall, arg_cnt, arg_array, 1);
}

/* Gathers a variadic argument list into an array; -EINVAL past six. */
#define COLLECT_ARGS(arr, last, cnt)                                   \
	do {                                                           \
		va_list ap;                                            \
		unsigned int i_;                                       \
		if ((cnt) > ARGS_MAX)                                  \
			return -EINVAL;                                \
		va_start(ap, last);                                    \
		for (i_ = 0; i_ < (cnt); i_++)                         \
			(arr)[i_] = va_arg(ap, struct scmp_arg_cmp);   \
		va_end(ap);                                            \
	} while (0)

API int seccomp_rule_add(scmp_filter_ctx ctx, uint32_t action, int syscall,
			 unsigned int arg_cnt, ...)
{
	struct scmp_arg_cmp args[ARGS_MAX];

	COLLECT_ARGS(args, arg_cnt, arg_cnt);
	return rule_add(ctx, action, syscall, arg_cnt, args, 0);
}

API int seccomp_rule_add_exact(scmp_filter_ctx ctx, uint32_t action,
			       int syscall, unsigned int arg_cnt, ...)
{
	struct scmp_arg_cmp args[ARGS_MAX];

	COLLECT_ARGS(args, arg_cnt, arg_cnt);
	return rule_add(ctx, action, syscall, arg_cnt, args, 1);
}

/*
 * The kernel's sizes of the notification structures, asked once: they
 * may exceed the header's, and buffers must be as large as the kernel's.
 * Racing first callers store the same values.
 */
static int notif_sizes(struct seccomp_notif_sizes *out)
{
	static struct seccomp_notif_sizes sz;
	static int known; /* 1: known, -1: not supported */

	if (known == 0) {
		struct seccomp_notif_sizes probe;
#ifdef __NR_seccomp
		if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0,
			    &probe) == 0) {
			sz = probe;
			__atomic_store_n(&known, 1, __ATOMIC_RELEASE);
		} else
#endif
			known = -1;
	}
	if (__atomic_load_n(&known, __ATOMIC_ACQUIRE) < 0)
		return -EOPNOTSUPP;
	if (out)
		*out = sz;
	return 0;
}

API int seccomp_notify_alloc(struct seccomp_notif **req,
			     struct seccomp_notif_resp **resp)
{
	struct seccomp_notif_sizes sz;
	int rc = notif_sizes(&sz);

	if (rc < 0)
		return rc;
	if (req) {
		*req = calloc(1, sz.seccomp_notif > sizeof(**req) ?
				 sz.seccomp_notif : sizeof(**req));
		if (*req == NULL)
			return -ENOMEM;
	}
	if (resp) {
		*resp = calloc(1, sz.seccomp_notif_resp > sizeof(**resp) ?
				  sz.seccomp_notif_resp : sizeof(**resp));
		if (*resp == NULL) {
			if (req) {
				free(*req);
				*req = NULL;
			}
			return -ENOMEM;
		}
	}
	return 0;
}

API void seccomp_notify_free(struct seccomp_notif *req,
			     struct seccomp_notif_resp *resp)
{
	free(req);
	free(resp);
}

API int seccomp_notify_receive(int fd, struct seccomp_notif *req)
{
	int rc = notif_sizes(NULL);

	if (rc < 0)
		return rc;
	/* The kernel refuses a request buffer that is not zeroed; a reused
	 * one never is. The header's size is the kernel's so far. */
	if (req != NULL)
		memset(req, 0, sizeof(*req));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return -ECANCELED;
	return 0;
}

API int seccomp_notify_respond(int fd, struct seccomp_notif_resp *resp)
{
	int rc = notif_sizes(NULL);

	if (rc < 0)
		return rc;
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
		return -ECANCELED;
	return 0;
}

/* Linux 5.0 to 5.6 numbered the ioctl with the wrong direction. */
#define NOTIF_ID_VALID_OLD _IOR(SECCOMP_IOC_MAGIC, 2, __u64)

API int seccomp_notify_id_valid(int fd, uint64_t id)
{
	int rc = notif_sizes(NULL);

	if (rc < 0)
		return rc;
	rc = ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id);
	if (rc < 0 && errno == EINVAL)
		rc = ioctl(fd, NOTIF_ID_VALID_OLD, &id);
	if (rc < 0)
		return -ENOENT;
	return 0;
}

API int seccomp_notify_fd(const scmp_filter_ctx ctx)
{
	int rc = GUARDED(int, stgo_check_ctx(HANDLE(ctx)));

	if (rc < 0)
		return rc;
	/* No listener yet: libseccomp's -1 reaches callers as -EFAULT. */
	return notify_fd < 0 ? -EFAULT : notify_fd;
}

API int seccomp_export_pfc(const scmp_filter_ctx ctx, int fd)
{
	return GUARDED(int, stgo_export_pfc(HANDLE(ctx), fd));
}

API int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd)
{
	return GUARDED(int, stgo_export_bpf(HANDLE(ctx), fd));
}

API int seccomp_export_bpf_mem(const scmp_filter_ctx ctx, void *buf,
			       size_t *len)
{
	return GUARDED(int, stgo_export_bpf_mem(HANDLE(ctx), buf, len));
}

API int seccomp_transaction_start(const scmp_filter_ctx ctx)
{
	return GUARDED(int, stgo_transaction_start(HANDLE(ctx)));
}

API void seccomp_transaction_reject(const scmp_filter_ctx ctx)
{
	GUARDED_VOID(stgo_transaction_reject(HANDLE(ctx)));
}

API int seccomp_transaction_commit(const scmp_filter_ctx ctx)
{
	return GUARDED(int, stgo_transaction_commit(HANDLE(ctx)));
}

API int seccomp_precompute(const scmp_filter_ctx ctx)
{
	return GUARDED(int, stgo_precompute(HANDLE(ctx)));
}
