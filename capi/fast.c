/*
 * The two calls a filter is mostly made of, answered without Go.
 *
 * A typical caller resolves a few hundred syscall names and adds an
 * unconditional rule for each. Entering Go costs about a microsecond,
 * most of it the two rt_sigprocmask calls that keep host signal
 * handlers off Go stacks (shim.c), which is as much as libseccomp
 * spends on a whole rule. So:
 *
 *  - Names are resolved for the native ABI from a table Go fills once,
 *    at load time, with its own answers for every name it knows.
 *  - A rule on a syscall number that Go has marked "open" in the
 *    context (one ABI, the host's; the number has no rule or priority
 *    yet; nothing multiplexes it; or a pseudo number of a call the host
 *    lacks, which gets an entry no program tests) can only succeed if its action and
 *    comparisons are valid, and so can every later rule on that number
 *    with the same action: libseccomp's merge refuses a rule only where
 *    two different actions meet (engine/policy, uniform_test.go). Such
 *    rules are answered 0 here and queued. Go drains the queue at the
 *    start of the next call that touches the context, before anything
 *    else sees the filter, so every rule reaches the engine in the
 *    caller's order.
 *
 * Neither path runs Go code or makes a syscall (short of malloc growing
 * the heap), and neither blocks signals: fast_lock is taken without
 * them, so nothing else may be called with it held.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#include "shim.h"

/* ---- names ------------------------------------------------------------ */

/* Open addressing over a power-of-two table, filled once before any host
 * thread can call, then only read. */
static struct st_name *names;
static unsigned int names_mask;

static unsigned int hash(const char *s)
{
	unsigned int h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int st_names_publish(const struct st_name *list, unsigned int n)
{
	unsigned int size = 64, i;
	struct st_name *t;

	while (size < 2 * n)
		size *= 2;
	t = calloc(size, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned int j = hash(list[i].name) & (size - 1);

		while (t[j].name != NULL)
			j = (j + 1) & (size - 1);
		t[j] = list[i];
	}
	names_mask = size - 1;
	__atomic_store_n(&names, t, __ATOMIC_RELEASE);
	return 0;
}

int st_name_lookup(const char *name, int *nr)
{
	struct st_name *t = __atomic_load_n(&names, __ATOMIC_ACQUIRE);
	unsigned int j;

	if (t == NULL || name == NULL)
		return 0;
	for (j = hash(name) & names_mask; t[j].name != NULL;
	     j = (j + 1) & names_mask)
		if (strcmp(t[j].name, name) == 0) {
			*nr = t[j].nr;
			return 1;
		}
	return 0;
}

/* ---- unconditional rules ---------------------------------------------- */

/* What the fast path knows of one syscall number of a context. */
enum {
	NR_CLOSED,  /* only the engine can tell what a rule does */
	NR_OPEN,    /* no entry yet */
	NR_UNIFORM, /* only rules with action uniform[nr], all queued here */
};

struct fast_ctx {
	struct fast_ctx *next;
	uintptr_t handle;
	int enabled;  /* no program is cached for the context */
	uint32_t def; /* its default action: a rule with it is refused */
	uint8_t state[ST_FAST_SLOTS];
	uint32_t uniform[ST_FAST_SLOTS];
	unsigned int n, cap;
	struct st_pending *pending;
};

/* Guards the list and every entry. Go takes it (through these functions)
 * with the API lock held; the fast path takes it alone. */
static pthread_mutex_t fast_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fast_ctx *fast_list;

/* Rules queued in all contexts together: Go reads it without the lock
 * to skip draining when there is nothing to drain. */
unsigned int st_fast_queued;

static struct fast_ctx *find(uintptr_t handle)
{
	struct fast_ctx *c;

	for (c = fast_list; c != NULL; c = c->next)
		if (c->handle == handle)
			return c;
	return NULL;
}

void st_fast_set(uintptr_t handle, uint32_t def, const uint64_t *open)
{
	struct fast_ctx *c;

	pthread_mutex_lock(&fast_lock);
	c = find(handle);
	if (c == NULL && open != NULL) {
		c = calloc(1, sizeof(*c));
		if (c != NULL) {
			c->handle = handle;
			c->enabled = 1;
			c->next = fast_list;
			fast_list = c;
		}
	}
	if (c != NULL) {
		unsigned int nr;

		c->def = def;
		for (nr = 0; nr < ST_FAST_SLOTS; nr++)
			c->state[nr] = open != NULL &&
				(open[nr / 64] & (1ULL << (nr % 64))) ?
				NR_OPEN : NR_CLOSED;
	}
	pthread_mutex_unlock(&fast_lock);
}

void st_fast_clear(uintptr_t handle, int32_t nr)
{
	struct fast_ctx *c;

	int i = st_fast_slot(nr);

	if (i < 0)
		return;
	pthread_mutex_lock(&fast_lock);
	c = find(handle);
	if (c != NULL)
		c->state[i] = NR_CLOSED;
	pthread_mutex_unlock(&fast_lock);
}

void st_fast_enable(uintptr_t handle, int on)
{
	struct fast_ctx *c;

	pthread_mutex_lock(&fast_lock);
	c = find(handle);
	if (c != NULL)
		c->enabled = on;
	pthread_mutex_unlock(&fast_lock);
}

struct st_pending *st_fast_take(uintptr_t handle, unsigned int *n)
{
	struct st_pending *q = NULL;
	struct fast_ctx *c;

	*n = 0;
	pthread_mutex_lock(&fast_lock);
	c = find(handle);
	if (c != NULL && c->n > 0) {
		q = c->pending;
		*n = c->n;
		__atomic_sub_fetch(&st_fast_queued, c->n, __ATOMIC_RELAXED);
		c->pending = NULL;
		c->n = c->cap = 0;
	}
	pthread_mutex_unlock(&fast_lock);
	return q;
}

void st_fast_drop(uintptr_t handle)
{
	struct fast_ctx **p, *c;

	pthread_mutex_lock(&fast_lock);
	for (p = &fast_list; *p != NULL; p = &(*p)->next)
		if ((*p)->handle == handle)
			break;
	c = *p;
	if (c != NULL) {
		*p = c->next;
		__atomic_sub_fetch(&st_fast_queued, c->n, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&fast_lock);
	if (c != NULL) {
		free(c->pending);
		free(c);
	}
}

/* The actions valid at every API level, with nothing to check but an
 * ERRNO's range: the fast path takes no others. */
static int plain_action(uint32_t action)
{
	switch (action & 0xffff0000u) {
	case SCMP_ACT_ERRNO(0):
		return (action & 0xffff) < 4095;
	case SCMP_ACT_ALLOW:
	case SCMP_ACT_KILL_THREAD:
	case SCMP_ACT_TRAP:
		return (action & 0xffff) == 0;
	}
	return 0;
}

/* The checks the engine makes of a rule's comparisons. */
static int plain_conds(unsigned int n, const struct scmp_arg_cmp *cmp)
{
	unsigned int seen = 0, i;

	if (n > 6 || (n > 0 && cmp == NULL))
		return 0;
	for (i = 0; i < n; i++) {
		if (cmp[i].arg >= 6 || (seen & (1u << cmp[i].arg)) ||
		    cmp[i].op < SCMP_CMP_NE || cmp[i].op > SCMP_CMP_MASKED_EQ)
			return 0;
		seen |= 1u << cmp[i].arg;
	}
	return 1;
}

int st_fast_rule(uintptr_t handle, uint32_t action, int nr, int exact,
		 unsigned int ncmp, const struct scmp_arg_cmp *cmp)
{
	struct fast_ctx *c;
	struct st_pending *q;
	int done = 0;

	int i = st_fast_slot(nr);

	/* A pseudo number cannot be placed exactly (-EDOM). */
	if (i < 0 || (nr < 0 && exact) || !plain_action(action) ||
	    !plain_conds(ncmp, cmp))
		return 0;
	pthread_mutex_lock(&fast_lock);
	c = find(handle);
	if (c == NULL || !c->enabled || action == c->def)
		goto out;
	if (c->state[i] != NR_OPEN &&
	    !(c->state[i] == NR_UNIFORM && c->uniform[i] == action))
		goto out;
	if (c->n == c->cap) {
		unsigned int cap = c->cap ? 2 * c->cap : 256;
		struct st_pending *p = realloc(c->pending, cap * sizeof(*p));

		if (p == NULL)
			goto out; /* the slow path reports it */
		c->pending = p;
		c->cap = cap;
	}
	q = &c->pending[c->n++];
	q->action = action;
	q->nr = nr;
	q->exact = exact;
	q->ncmp = ncmp;
	if (ncmp > 0)
		memcpy(q->cmp, cmp, ncmp * sizeof(*cmp));
	c->state[i] = NR_UNIFORM;
	c->uniform[i] = action;
	__atomic_add_fetch(&st_fast_queued, 1, __ATOMIC_RELAXED);
	done = 1;
out:
	pthread_mutex_unlock(&fast_lock);
	return done;
}

/* fork() waits for the fast path as it waits for Go (shim.c). */
void st_fast_fork_prepare(void)
{
	pthread_mutex_lock(&fast_lock);
}

void st_fast_fork_parent(void)
{
	pthread_mutex_unlock(&fast_lock);
}

void st_fast_fork_child(void)
{
	pthread_mutex_init(&fast_lock, NULL);
}
