/*
 * Bad input must fail with the same negative errno libseccomp returns, since
 * callers branch on those values.  Every mismatch is reported, not just the
 * first, so one run shows everything that differs.
 *
 * The version check insists on 2.6; set SECCOMP_ALLOW_SYSTEM=1 to run this
 * against an older distribution library.
 */
#include "common.h"

static unsigned int checks, failures;

static void expect_rc(const char *what, long got, long want)
{
	checks++;
	if (got == want)
		return;
	failures++;
	printf("FAIL %s: got %ld (%s), want %ld (%s)\n", what,
	       got, got < 0 ? strerrorname_np(-got) : "-",
	       want, want < 0 ? strerrorname_np(-want) : "-");
}

static void expect_true(const char *what, bool ok)
{
	checks++;
	if (ok)
		return;
	failures++;
	printf("FAIL %s\n", what);
}

#define EXPECT_RC(call, want)	expect_rc(#call, (call), (want))
#define EXPECT(cond)		expect_true(#cond, (cond))

static void version(void)
{
	const struct scmp_version *v = seccomp_version();
	const char *sys = getenv("SECCOMP_ALLOW_SYSTEM");

	EXPECT(v != NULL);
	if (!v)
		return;
	/* the header we were built with and the library we run must agree */
	EXPECT(v->major == SCMP_VER_MAJOR);
	EXPECT(v->minor == SCMP_VER_MINOR);
	EXPECT(v->micro == SCMP_VER_MICRO);
	if (sys && strcmp(sys, "1") == 0)
		return;
	EXPECT(v->major == 2 && v->minor == 6);
}

static void null_context(void)
{
	uint32_t val = 0;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	EXPECT_RC(seccomp_rule_add(NULL, SCMP_ACT_ALLOW, 0, 0), -EINVAL);
	EXPECT_RC(seccomp_rule_add_exact(NULL, SCMP_ACT_ALLOW, 0, 0), -EINVAL);
	EXPECT_RC(seccomp_attr_get(NULL, SCMP_FLTATR_CTL_NNP, &val), -EINVAL);
	EXPECT_RC(seccomp_attr_set(NULL, SCMP_FLTATR_CTL_NNP, 1), -EINVAL);
	EXPECT_RC(seccomp_export_bpf(NULL, devnull), -EINVAL);
	EXPECT_RC(seccomp_export_pfc(NULL, devnull), -EINVAL);
	EXPECT_RC(seccomp_load(NULL), -EINVAL);
	EXPECT_RC(seccomp_syscall_priority(NULL, 0, 100), -EINVAL);
	EXPECT_RC(seccomp_merge(NULL, NULL), -EINVAL);
	EXPECT_RC(seccomp_notify_fd(NULL), -EINVAL);
	/* resetting with no context resets global state and succeeds */
	EXPECT_RC(seccomp_reset(NULL, SCMP_ACT_ALLOW), 0);
#if HAVE_SCMP_2_6
	{
		size_t len = 0;

		EXPECT_RC(seccomp_export_bpf_mem(NULL, NULL, &len), -EINVAL);
		EXPECT_RC(seccomp_precompute(NULL), -EINVAL);
		EXPECT_RC(seccomp_transaction_start(NULL), -EINVAL);
		EXPECT_RC(seccomp_transaction_commit(NULL), -EINVAL);
		/* void, and must not crash */
		seccomp_transaction_reject(NULL);
	}
#endif
	/* must not crash */
	seccomp_release(NULL);
	close(devnull);
}

static void init_actions(void)
{
	scmp_filter_ctx ctx;

	EXPECT(seccomp_init(0x12345678) == NULL);
	/* errno values must stay below MAX_ERRNO (4095) */
	EXPECT(seccomp_init(SCMP_ACT_ERRNO(4095)) == NULL);
	ctx = seccomp_init(SCMP_ACT_ERRNO(4094));
	EXPECT(ctx != NULL);
	seccomp_release(ctx);
	ctx = seccomp_init(SCMP_ACT_TRACE(1234));
	EXPECT(ctx != NULL);
	seccomp_release(ctx);
	ctx = seccomp_init(SCMP_ACT_TRAP);
	EXPECT(ctx != NULL);
	EXPECT_RC(seccomp_reset(ctx, 0x12345678), -EINVAL);
	EXPECT_RC(seccomp_reset(ctx, SCMP_ACT_ALLOW), 0);
	seccomp_release(ctx);
}

static void rules(void)
{
	struct scmp_arg_cmp seven[7] = {
		SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, 0),
		SCMP_A2(SCMP_CMP_EQ, 0), SCMP_A3(SCMP_CMP_EQ, 0),
		SCMP_A4(SCMP_CMP_EQ, 0), SCMP_A5(SCMP_CMP_EQ, 0),
		SCMP_A0(SCMP_CMP_EQ, 0),
	};
	struct scmp_arg_cmp twice[2] = {
		SCMP_A0(SCMP_CMP_EQ, 1), SCMP_A0(SCMP_CMP_EQ, 2),
	};
	struct scmp_arg_cmp bad_op = { .arg = 0, .op = 99, .datum_a = 1 };
	struct scmp_arg_cmp bad_arg = { .arg = 6, .op = SCMP_CMP_EQ };
	int nr_read = seccomp_syscall_resolve_name("read");
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL);
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	EXPECT(ctx != NULL);
	EXPECT(nr_read >= 0);
	if (!ctx)
		return;

	/* a rule whose action is the default action is pointless: -EACCES */
	EXPECT_RC(seccomp_rule_add(ctx, SCMP_ACT_KILL, nr_read, 0), -EACCES);
	EXPECT_RC(seccomp_rule_add(ctx, 0x12345678, nr_read, 0), -EINVAL);

	/* -1 (needs API_TSKIP) and -2..-99 are rejected before anything else */
	EXPECT_RC(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, -1, 0), -EINVAL);
	EXPECT_RC(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, -50, 0), -EINVAL);
	EXPECT_RC(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, -99, 0), -EINVAL);
	EXPECT_RC(seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, -99, 0), -EINVAL);

	/*
	 * Lower numbers are pseudo-syscalls.  An unknown one is quietly
	 * accepted by the loose API on x86_64, which has no per-arch rule
	 * hook, and refused with -EDOM by the exact API.
	 */
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		EXPECT_RC(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, -12345, 0), 0);
		EXPECT_RC(seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, -12345, 0),
			  -EDOM);
		/* socketcall does not exist on x86_64: a known pseudo-syscall */
		EXPECT_RC(seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			  seccomp_syscall_resolve_name("socketcall"), 0), 0);
	}
	/* large unknown numbers are the caller's business */
	EXPECT_RC(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, 99999, 0), 0);

	/* argument comparisons */
	EXPECT_RC(seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr_read, 7, seven),
		  -EINVAL);
	EXPECT_RC(seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr_read, 1, NULL),
		  -EINVAL);
	EXPECT_RC(seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr_read, 2, twice),
		  -EINVAL);
	EXPECT_RC(seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr_read, 1, &bad_op),
		  -EINVAL);
	EXPECT_RC(seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr_read, 1, &bad_arg),
		  -EINVAL);
	EXPECT_RC(seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr_read, 6, seven),
		  0);

	/* the filter is still usable after all that */
	EXPECT_RC(seccomp_export_bpf(ctx, devnull), 0);
	EXPECT_RC(seccomp_export_pfc(ctx, devnull), 0);

	/* write errors are folded into -ECANCELED unless asked for raw */
	EXPECT_RC(seccomp_export_bpf(ctx, -1), -ECANCELED);
	EXPECT_RC(seccomp_export_pfc(ctx, -1), -ECANCELED);
	EXPECT_RC(seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1), 0);
	EXPECT_RC(seccomp_export_bpf(ctx, -1), -EBADF);
	EXPECT_RC(seccomp_export_pfc(ctx, -1), -EBADF);

#if HAVE_SCMP_2_6
	{
		size_t len = 0;
		char small[8];

		EXPECT_RC(seccomp_export_bpf_mem(ctx, NULL, NULL), -EINVAL);
		EXPECT_RC(seccomp_export_bpf_mem(ctx, NULL, &len), 0);
		EXPECT(len > sizeof(small) && len % 8 == 0);
		/* too small: -ERANGE, and len still reports the size needed */
		{
			size_t want = len;

			len = sizeof(small);
			EXPECT_RC(seccomp_export_bpf_mem(ctx, small, &len),
				  -ERANGE);
			EXPECT(len == want);
		}
		EXPECT_RC(seccomp_precompute(ctx), 0);
	}
#endif
	close(devnull);
	seccomp_release(ctx);
}

static void attrs(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	uint32_t val = 0;

	EXPECT(ctx != NULL);
	if (!ctx)
		return;
	EXPECT_RC(seccomp_attr_get(ctx, 0, &val), -EINVAL);
	EXPECT_RC(seccomp_attr_get(ctx, 999, &val), -EINVAL);
	EXPECT_RC(seccomp_attr_set(ctx, 0, 1), -EINVAL);
	EXPECT_RC(seccomp_attr_set(ctx, 999, 1), -EINVAL);
	seccomp_release(ctx);
}

static void arches(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	uint32_t absent = seccomp_arch_native() == SCMP_ARCH_AARCH64 ?
			  SCMP_ARCH_S390X : SCMP_ARCH_AARCH64;

	EXPECT(ctx != NULL);
	if (!ctx)
		return;
	EXPECT_RC(seccomp_arch_exist(ctx, 0x1234), -EINVAL);
	EXPECT_RC(seccomp_arch_exist(ctx, absent), -EEXIST);
	EXPECT_RC(seccomp_arch_exist(ctx, SCMP_ARCH_NATIVE), 0);
	EXPECT_RC(seccomp_arch_exist(ctx, seccomp_arch_native()), 0);
	EXPECT_RC(seccomp_arch_add(ctx, 0x1234), -EINVAL);
	EXPECT_RC(seccomp_arch_add(ctx, SCMP_ARCH_NATIVE), -EEXIST);
	EXPECT_RC(seccomp_arch_remove(ctx, 0x1234), -EINVAL);
	EXPECT_RC(seccomp_arch_remove(ctx, absent), -EEXIST);
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		/* a big-endian ABI cannot share a filter with little-endian */
		EXPECT_RC(seccomp_arch_add(ctx, SCMP_ARCH_PPC64), -EDOM);
		EXPECT_RC(seccomp_arch_add(ctx, SCMP_ARCH_X86), 0);
		EXPECT_RC(seccomp_arch_exist(ctx, SCMP_ARCH_X86), 0);
		EXPECT_RC(seccomp_arch_remove(ctx, SCMP_ARCH_X86), 0);
		EXPECT_RC(seccomp_arch_exist(ctx, SCMP_ARCH_X86), -EEXIST);
	}
	EXPECT(seccomp_arch_resolve_name("no-such-arch") == 0);
	EXPECT(seccomp_arch_resolve_name("x86_64") == SCMP_ARCH_X86_64);
	seccomp_release(ctx);
}

static void merge(void)
{
	scmp_filter_ctx a = seccomp_init(SCMP_ACT_ALLOW);
	scmp_filter_ctx b = seccomp_init(SCMP_ACT_KILL);

	EXPECT(a != NULL && b != NULL);
	if (!a || !b)
		return;
	/* default actions differ */
	EXPECT_RC(seccomp_merge(a, b), -EINVAL);
	/* both native: the architectures collide */
	seccomp_reset(b, SCMP_ACT_ALLOW);
	EXPECT_RC(seccomp_merge(a, b), -EEXIST);
	seccomp_release(a);
	seccomp_release(b);
}

static void resolve(void)
{
	char *name;

	EXPECT(seccomp_syscall_resolve_name("nonexistent") == __NR_SCMP_ERROR);
	EXPECT(seccomp_syscall_resolve_name("") == __NR_SCMP_ERROR);
	EXPECT(seccomp_syscall_resolve_name(NULL) == __NR_SCMP_ERROR);
	EXPECT(seccomp_syscall_resolve_name_arch(0x1234, "read") ==
	       __NR_SCMP_ERROR);
	EXPECT(seccomp_syscall_resolve_num_arch(0x1234, 0) == NULL);
	EXPECT(seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, -1) == NULL);
	EXPECT(seccomp_syscall_resolve_name("read") == SCMP_SYS(read));

	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, SCMP_SYS(openat));
	EXPECT(name != NULL && strcmp(name, "openat") == 0);
	free(name);
}

static void api_level(void)
{
	unsigned int level = seccomp_api_get();

	EXPECT(level >= 1 && level <= 7);
	EXPECT_RC(seccomp_api_set(0), -EINVAL);
	EXPECT_RC(seccomp_api_set(8), -EINVAL);
	EXPECT_RC(seccomp_api_set(level), 0);
	EXPECT(seccomp_api_get() == level);
}

int main(void)
{
	version();
	null_context();
	init_actions();
	rules();
	attrs();
	arches();
	merge();
	resolve();
	api_level();

	printf("%u checks, %u failed\n", checks, failures);
	return failures ? 1 : 0;
}
