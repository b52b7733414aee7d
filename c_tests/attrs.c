/*
 * Filter attributes: documented defaults, set/get round trips, rejected
 * values leaving the old value alone, and attributes that visibly change
 * what the filter does.
 */
#include "common.h"

static unsigned int failures;

static uint32_t get(scmp_filter_ctx ctx, enum scmp_filter_attr attr,
		    const char *name)
{
	uint32_t val = 0xdeadbeef;
	int rc = seccomp_attr_get(ctx, attr, &val);

	if (rc != 0) {
		printf("FAIL attr_get(%s) returned %d\n", name, rc);
		failures++;
	}
	return val;
}

/* Set @attr to @val, expect @want_rc, then expect @want_after on read-back. */
static void set(scmp_filter_ctx ctx, enum scmp_filter_attr attr,
		const char *name, uint32_t val, int want_rc,
		uint32_t want_after)
{
	int rc = seccomp_attr_set(ctx, attr, val);
	uint32_t after;

	if (rc != want_rc) {
		printf("FAIL attr_set(%s, %#x) returned %d, want %d\n",
		       name, val, rc, want_rc);
		failures++;
	}
	after = get(ctx, attr, name);
	if (after != want_after) {
		printf("FAIL after attr_set(%s, %#x): reads %#x, want %#x\n",
		       name, val, after, want_after);
		failures++;
	}
}

/* Does the exported program contain "ret #k"? */
static bool returns(scmp_filter_ctx ctx, uint32_t k)
{
	struct { uint16_t code; uint8_t jt, jf; uint32_t k; } *insn;
	size_t len, i;
	bool found = false;

	insn = export_bpf_fd(ctx, &len);
	for (i = 0; i < len / sizeof(*insn); i++)
		/* BPF_RET | BPF_K */
		if (insn[i].code == 0x06 && insn[i].k == k)
			found = true;
	free(insn);
	return found;
}

#define ATTR(a)	a, #a

/*
 * Kernel features behind some flags may be missing; then the set must fail
 * with -EOPNOTSUPP and leave the value alone.  Either way the answer and the
 * read-back must be consistent.
 */
static void set_kernel_flag(scmp_filter_ctx ctx, enum scmp_filter_attr attr,
			    const char *name)
{
	int rc = seccomp_attr_set(ctx, attr, 1);
	uint32_t after = get(ctx, attr, name);

	if (!((rc == 0 && after == 1) || (rc == -EOPNOTSUPP && after == 0))) {
		printf("FAIL attr_set(%s, 1) returned %d, reads back %u\n",
		       name, rc, after);
		failures++;
	}
}

int main(void)
{
	const uint32_t def = SCMP_ACT_ERRNO(EPERM);
	static const struct {
		enum scmp_filter_attr attr;
		const char *name;
		uint32_t value;
	} defaults[] = {
		{ ATTR(SCMP_FLTATR_ACT_DEFAULT), SCMP_ACT_ERRNO(EPERM) },
		{ ATTR(SCMP_FLTATR_ACT_BADARCH), SCMP_ACT_KILL },
		{ ATTR(SCMP_FLTATR_CTL_NNP), 1 },
		{ ATTR(SCMP_FLTATR_CTL_TSYNC), 0 },
		{ ATTR(SCMP_FLTATR_API_TSKIP), 0 },
		{ ATTR(SCMP_FLTATR_CTL_LOG), 0 },
		{ ATTR(SCMP_FLTATR_CTL_SSB), 0 },
		{ ATTR(SCMP_FLTATR_CTL_OPTIMIZE), 1 },
		{ ATTR(SCMP_FLTATR_API_SYSRAWRC), 0 },
#if HAVE_SCMP_2_6
		{ ATTR(SCMP_FLTATR_CTL_WAITKILL), 0 },
#endif
	};
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	ctx = seccomp_init(def);
	if (!ctx)
		fail("seccomp_init returned NULL");
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		uint32_t v = get(ctx, defaults[i].attr, defaults[i].name);

		if (v != defaults[i].value) {
			printf("FAIL default %s is %#x, want %#x\n",
			       defaults[i].name, v, defaults[i].value);
			failures++;
		}
	}

	/* the default action is fixed at seccomp_init/seccomp_reset time */
	set(ctx, ATTR(SCMP_FLTATR_ACT_DEFAULT), SCMP_ACT_ALLOW, -EACCES, def);

	/* the bad-arch action must be a valid action, and shows in the BPF */
	if (returns(ctx, SCMP_ACT_ERRNO(EXDEV)))
		fail("program returns ERRNO(EXDEV) before anything asked for it");
	set(ctx, ATTR(SCMP_FLTATR_ACT_BADARCH), SCMP_ACT_ERRNO(EXDEV), 0,
	    SCMP_ACT_ERRNO(EXDEV));
	if (!returns(ctx, SCMP_ACT_ERRNO(EXDEV))) {
		printf("FAIL ACT_BADARCH=ERRNO(EXDEV) not in the exported program\n");
		failures++;
	}
	set(ctx, ATTR(SCMP_FLTATR_ACT_BADARCH), 0x12345678, -EINVAL,
	    SCMP_ACT_ERRNO(EXDEV));
	set(ctx, ATTR(SCMP_FLTATR_ACT_BADARCH), SCMP_ACT_KILL_PROCESS, 0,
	    SCMP_ACT_KILL_PROCESS);

	/* booleans read back normalised to 0/1 */
	set(ctx, ATTR(SCMP_FLTATR_CTL_NNP), 0, 0, 0);
	set(ctx, ATTR(SCMP_FLTATR_CTL_NNP), 5, 0, 1);
	set(ctx, ATTR(SCMP_FLTATR_API_SYSRAWRC), 7, 0, 1);
	set(ctx, ATTR(SCMP_FLTATR_API_SYSRAWRC), 0, 0, 0);

	/* only optimisation levels 1 and 2 exist */
	set(ctx, ATTR(SCMP_FLTATR_CTL_OPTIMIZE), 2, 0, 2);
	set(ctx, ATTR(SCMP_FLTATR_CTL_OPTIMIZE), 0, -EOPNOTSUPP, 2);
	set(ctx, ATTR(SCMP_FLTATR_CTL_OPTIMIZE), 3, -EOPNOTSUPP, 2);
	set(ctx, ATTR(SCMP_FLTATR_CTL_OPTIMIZE), 1, 0, 1);

	set_kernel_flag(ctx, ATTR(SCMP_FLTATR_CTL_TSYNC));
	set_kernel_flag(ctx, ATTR(SCMP_FLTATR_CTL_LOG));
	set_kernel_flag(ctx, ATTR(SCMP_FLTATR_CTL_SSB));
#if HAVE_SCMP_2_6
	set(ctx, ATTR(SCMP_FLTATR_CTL_WAITKILL), 1, 0, 1);
#endif

	/* API_TSKIP is what makes syscall -1 (a tracer's skip) acceptable */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, -1, 0);
	if (rc != -EINVAL) {
		printf("FAIL rule for syscall -1 without TSKIP returned %d\n", rc);
		failures++;
	}
	set(ctx, ATTR(SCMP_FLTATR_API_TSKIP), 1, 0, 1);
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, -1, 0);
	if (rc != 0) {
		printf("FAIL rule for syscall -1 with TSKIP returned %d\n", rc);
		failures++;
	}

	/* seccomp_reset restores every default and takes a new action */
	if (seccomp_reset(ctx, SCMP_ACT_KILL_PROCESS) != 0)
		fail("seccomp_reset failed");
	if (get(ctx, ATTR(SCMP_FLTATR_ACT_DEFAULT)) != SCMP_ACT_KILL_PROCESS ||
	    get(ctx, ATTR(SCMP_FLTATR_ACT_BADARCH)) != SCMP_ACT_KILL ||
	    get(ctx, ATTR(SCMP_FLTATR_CTL_NNP)) != 1 ||
	    get(ctx, ATTR(SCMP_FLTATR_API_TSKIP)) != 0 ||
	    get(ctx, ATTR(SCMP_FLTATR_CTL_OPTIMIZE)) != 1) {
		printf("FAIL seccomp_reset did not restore the defaults\n");
		failures++;
	}

	seccomp_release(ctx);
	if (failures)
		return 1;
	printf("attribute defaults, round trips and rejections as documented\n");
	return 0;
}
