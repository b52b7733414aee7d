/* Internal interface between the C entry points (shim.c) and Go. */
#ifndef SECCOMPTREE_SHIM_H
#define SECCOMPTREE_SHIM_H

#include <stdint.h>
#include <linux/filter.h>

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
