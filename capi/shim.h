/* Internal interface between the C entry points (shim.c) and Go. */
#ifndef SECCOMPTREE_SHIM_H
#define SECCOMPTREE_SHIM_H

#include <stdint.h>
#include <linux/filter.h>

#include <seccomp.h>

/* What seccomp_load needs to install a filter without calling Go. */
struct st_load {
	struct sock_filter *prog; /* malloc'd, owned by the C side */
	unsigned short len;
	unsigned int flags;       /* TSYNC, LOG, SPEC_ALLOW */
	int nnp;                  /* set NO_NEW_PRIVS first */
	int rawrc;                /* report the kernel's errno as is */
	int tsync;
	int listener;             /* the filter can return NOTIFY */
	int waitkill;             /* killable wait for the supervisor */
};

/*
 * The C side keeps the generated program of each context, so that
 * seccomp_load needs no Go code once seccomp_precompute (or an export)
 * ran. Go calls these with the API lock held; st_cache_put takes
 * ownership of ld->prog and fails only for want of memory (-ENOMEM).
 */
int st_cache_put(uintptr_t handle, const struct st_load *ld);
void st_cache_drop(uintptr_t handle);

/*
 * Bracket a garbage collection. st_collect_begin returns zero, and
 * prepares nothing, where no collection may run: in a forked child and
 * on a thread that loaded a filter.
 */
int st_collect_begin(void);
void st_collect_end(void);

/*
 * Contexts released from C but not yet forgotten by Go: seccomp_release
 * queues them here without calling Go, Go drains the queue on its next
 * call. Guarded by the API lock.
 */
#define ST_RELEASE_QUEUE 64
extern uintptr_t st_released[ST_RELEASE_QUEUE];
extern int st_nreleased;

/* Starts the thread that ends the process when a filter kills its only
 * host thread (leader.c). */
void st_watch_leader(void);

/* Set once a filter was loaded through the library. */
extern int st_any_filtered;

/* Waits up to timeout_ms for the runtime's threads to park (leader.c). */
int st_runtime_quiet(int timeout_ms);

/* ---- fast paths that need no Go (fast.c) ---- */

/* One name of the native ABI and what Go resolves it to. */
struct st_name {
	const char *name; /* malloc'd, never freed */
	int nr;
};

/* Go publishes the native resolver's answers once, at load. */
int st_names_publish(const struct st_name *list, unsigned int n);
/* 1 and *nr set if name is in the published table, else 0. */
int st_name_lookup(const char *name, int *nr);

/*
 * The numbers that can take the fast rule path, as slots: 0 to
 * ST_FAST_NR-1 are themselves; the next ST_FAST_PSEUDO slots are the
 * pseudo numbers -ST_FAST_PSEUDO_BASE-1 downwards (calls the host lacks,
 * which a portable policy names too). st_fast_slot maps a number to its
 * slot, or -1.
 */
#define ST_FAST_NR 1024
#define ST_FAST_PSEUDO 512
#define ST_FAST_PSEUDO_BASE 10000
#define ST_FAST_SLOTS (ST_FAST_NR + ST_FAST_PSEUDO)

static inline int st_fast_slot(int nr)
{
	if (nr >= 0 && nr < ST_FAST_NR)
		return nr;
	if (nr < -ST_FAST_PSEUDO_BASE && nr >= -ST_FAST_PSEUDO_BASE - ST_FAST_PSEUDO)
		return ST_FAST_NR - ST_FAST_PSEUDO_BASE - 1 - nr;
	return -1;
}

/* A rule answered by the fast path and not yet given to Go. */
struct st_pending {
	uint32_t action;
	int32_t nr;
	int32_t exact;
	uint32_t ncmp;
	struct scmp_arg_cmp cmp[6];
};

/*
 * Go's side of the fast rule path, called with the API lock held.
 * st_fast_set records which numbers are open (a bit set of ST_FAST_SLOTS
 * bits; NULL: none) and the default action; st_fast_clear closes one
 * number; st_fast_enable turns the path off while a program is cached;
 * st_fast_take hands over the queue, oldest rule first, and its length
 * (the caller frees it; NULL when empty); st_fast_drop forgets a context.
 */
void st_fast_set(uintptr_t handle, uint32_t def, const uint64_t *open);
void st_fast_clear(uintptr_t handle, int32_t nr);
void st_fast_enable(uintptr_t handle, int on);
struct st_pending *st_fast_take(uintptr_t handle, unsigned int *n);
void st_fast_drop(uintptr_t handle);
/* Rules queued over all contexts. */
extern unsigned int st_fast_queued;

/* 1 if the rule was queued (the call then returns 0), 0 to take the slow
 * path. */
int st_fast_rule(uintptr_t handle, uint32_t action, int nr, int exact,
		 unsigned int ncmp, const struct scmp_arg_cmp *cmp);

void st_fast_fork_prepare(void);
void st_fast_fork_parent(void);
void st_fast_fork_child(void);

/*
 * The runtime's side of fork() (fork.c): hold its scheduler lock across
 * the fork, with a P idle. Called from shim.c's pthread_atfork handlers
 * with the API lock held; filtered says the forking thread loaded a
 * filter through the library. The pointers are set by fork.go.
 */
extern uintptr_t *st_rt_schedlock;
extern int32_t *st_rt_npidle;
void st_fork_prepare_runtime(int filtered);
void st_fork_parent_runtime(void);
void st_fork_child_runtime(void);

#endif
