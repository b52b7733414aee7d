/*
 * fork() without exec, the runtime's side.
 *
 * shim.c makes fork() wait until no host thread is inside a call. The
 * runtime's own threads (sysmon, idle Ms waking up, spinning, parking)
 * keep running, and they take the scheduler lock, runtime.sched.lock,
 * many times a millisecond while host threads call the library. If one
 * holds it at the instant of fork(), the child, where only the forking
 * thread exists, waits for it forever as soon as its first call into Go
 * needs a P (exitsyscall -> exitsyscallTryGetP -> lock(&sched.lock)).
 * Resetting the lock in the child is not enough: whatever the holder was
 * doing (putting a P on the idle list, say) is half done there, and the
 * runtime notices (seen: "limiterEvent.stop: found wrong event").
 *
 * So fork_prepare takes the lock itself, in C, the way the runtime's lock
 * does (set bit 0 of the key if it is clear), and holds it across fork():
 * no runtime thread is then inside a critical section of the scheduler at
 * the fork, and none can start one. It also makes sure that a P is idle,
 * because the child's thread may need one and every P that is not idle
 * at the fork belongs to a thread the child does not have (right after a
 * collection, Ms that ran idle GC workers hold all of them for a while).
 *
 * In the child the forking thread is the only one and owns the lock:
 * fork_child clears it, waiters and all. In the parent, fork_parent clears
 * the lock bit and, if a runtime thread queued up meanwhile, takes and
 * releases the lock through the runtime so that it wakes the sleeper.
 *
 * This reads runtime internals: see fork.go and capi/rtlayout. With a
 * runtime release other than the one recorded there, st_rt_schedlock
 * stays NULL and all this does nothing.
 */
#include <sched.h>

#include "shim.h"
#include "_cgo_export.h"

/* &runtime.sched.lock.key and &runtime.sched.npidle, set by fork.go. */
uintptr_t *st_rt_schedlock;
int32_t *st_rt_npidle;

/* runtime.mutex's key (lock_spinbit.go): flags in the low ten bits
 * (locked, sleeping, spinning, stack locked), the rest points at the
 * first M waiting. */
#define MUTEX_LOCKED 0x1UL
#define MUTEX_MMASK 0x3FFUL

/* How many times fork_prepare lets the runtime run to free a P before it
 * forks anyway (each is a sched_yield; a P frees within microseconds). */
#define PREPARE_TRIES 100000

/* A pause in a busy wait, for a thread that may not make syscalls. */
#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __asm__ volatile("pause" ::: "memory")
#elif defined(__aarch64__)
#define cpu_relax() __asm__ volatile("yield" ::: "memory")
#else
#define cpu_relax() __asm__ volatile("" ::: "memory")
#endif

/*
 * Set between fork_prepare and fork_parent when the forking thread runs
 * under a filter loaded through the library, which may deny the syscalls
 * the runtime's unlock makes (futex) and sched_yield: then the wait
 * spins, and a runtime thread that went to sleep on the lock meanwhile is
 * woken by the next one to take it rather than at once.
 */
static int quiet;

static int try_lock(uintptr_t *key)
{
	uintptr_t v = __atomic_load_n(key, __ATOMIC_RELAXED);

	return !(v & MUTEX_LOCKED) &&
	       __atomic_compare_exchange_n(key, &v, v | MUTEX_LOCKED, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/*
 * Clear the lock bit and keep the rest: a runtime thread that finds the
 * sleeping bit set when it takes the lock keeps it set and wakes a
 * sleeper when it releases. If there is a sleeper, do that at once.
 */
static void unlock(uintptr_t *key)
{
	uintptr_t v = __atomic_load_n(key, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(key, &v, v & ~MUTEX_LOCKED, 0,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	if ((v & ~MUTEX_MMASK) && !quiet)
		stgo_fork_kick();
}

/*
 * Set in a forked child. Its runtime has no threads of its own, so
 * nothing takes a P back from a thread that called the library: a child
 * that forks again need not wait for an idle P (there may be none left,
 * and nothing would free one), the forking thread has its own.
 */
static int alone;

/* With the API lock held and asynchronous signals blocked. */
void st_fork_prepare_runtime(int filtered)
{
	uintptr_t *key = st_rt_schedlock;
	int i;

	if (key == NULL)
		return;
	quiet = filtered;
	for (i = 0;; i++) {
		if (try_lock(key)) {
			if (alone || i >= PREPARE_TRIES ||
			    __atomic_load_n(st_rt_npidle, __ATOMIC_RELAXED) > 0)
				return;
			unlock(key);
		}
		if (quiet)
			cpu_relax();
		else
			sched_yield();
	}
}

void st_fork_parent_runtime(void)
{
	if (st_rt_schedlock)
		unlock(st_rt_schedlock);
}

void st_fork_child_runtime(void)
{
	alone = 1;
	if (st_rt_schedlock)
		__atomic_store_n(st_rt_schedlock, 0, __ATOMIC_RELEASE);
}
