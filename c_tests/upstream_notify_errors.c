/*
 * The user-notification calls given nonsense, as libseccomp's own error
 * test gives them: a descriptor of -1, NULL buffers, a context that never
 * asked for notifications. Each must fail with libseccomp's errno and must
 * not touch the NULL it was handed; a call that crashes would take its
 * caller down, so every call runs in a child of its own.
 */
#include "pending.h"

static scmp_filter_ctx plain;

static void receive_null(void)
{
	_exit(-seccomp_notify_receive(-1, NULL));
}

static void respond_null(void)
{
	_exit(-seccomp_notify_respond(-1, NULL));
}

static void id_valid_bad_fd(void)
{
	_exit(-seccomp_notify_id_valid(-1, 0));
}

static void fd_of_null(void)
{
	_exit(-seccomp_notify_fd(NULL));
}

/* No filter with a notify action was loaded, so there is no descriptor. */
static void fd_without_listener(void)
{
	_exit(-seccomp_notify_fd(plain));
}

struct notify_case {
	const char *call;
	void (*fn)(void);
	int want;		/* the negated return value, as the exit status */
	const char *pending;	/* the fix this case waits for, or NULL */
};

static const struct notify_case cases[] = {
	{ "seccomp_notify_receive(-1, NULL)", receive_null, ECANCELED,
	  "seccomp_notify_receive leaves a NULL request alone (no memset)" },
	{ "seccomp_notify_respond(-1, NULL)", respond_null, ECANCELED, NULL },
	{ "seccomp_notify_id_valid(-1, 0)", id_valid_bad_fd, ENOENT, NULL },
	{ "seccomp_notify_fd(NULL)", fd_of_null, EINVAL, NULL },
	/* libseccomp passes its "no descriptor" -1 through its errno filter,
	 * which turns it into -EFAULT. */
	{ "seccomp_notify_fd(ctx without a listener)", fd_without_listener,
	  EFAULT, "seccomp_notify_fd returns -EFAULT, not -1, when no "
		  "filter has a listener" },
};

int main(void)
{
	size_t i;

	if (seccomp_api_get() < 5) {
		printf("SKIP: user notification needs API level 5, have %u\n",
		       seccomp_api_get());
		return 0;
	}
	plain = seccomp_init(SCMP_ACT_ALLOW);
	if (plain == NULL)
		fail("seccomp_init failed");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct notify_case *c = &cases[i];
		bool hung, ok;
		int status = run_child(c->fn, CHILD_TIMEOUT, &hung);

		ok = !hung && WIFEXITED(status) &&
		     WEXITSTATUS(status) == c->want;
		if (c->pending)
			pending(ok, c->pending, "%s: want -%s, child %s", c->call,
				strerrorname_np(c->want),
				describe_status(status));
		else
			must(ok, "%s: want -%s, child %s", c->call,
			     strerrorname_np(c->want), describe_status(status));
	}
	seccomp_release(plain);
	return pending_report();
}
