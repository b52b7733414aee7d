/*
 * The life of a filter context beyond adding rules: transactions (nested,
 * committed, rejected), merging two filters, precomputing, and the API
 * level that decides which actions exist.
 *
 * Filters are compared by their exported programs: the same policy built
 * two ways must export the same bytes.
 */
#include "common.h"

static int failures;

#define CHECK(cond, ...)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                   \
			fputc('\n', stderr);                            \
			failures++;                                     \
		}                                                       \
	} while (0)

#if HAVE_SCMP_2_6
/* export returns ctx's program in a malloc'd buffer. */
static unsigned char *export(scmp_filter_ctx ctx, size_t *len)
{
	unsigned char *buf;

	*len = 0;
	if (seccomp_export_bpf_mem(ctx, NULL, len) < 0)
		return NULL;
	buf = malloc(*len);
	if (buf && seccomp_export_bpf_mem(ctx, buf, len) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* same reports whether a and b export identical programs. */
static int same(scmp_filter_ctx a, scmp_filter_ctx b)
{
	size_t la, lb;
	unsigned char *pa = export(a, &la), *pb = export(b, &lb);
	int eq = pa && pb && la == lb && memcmp(pa, pb, la) == 0;

	free(pa);
	free(pb);
	return eq;
}

/* with returns a KILL filter allowing the given syscalls (-1 ends). */
static scmp_filter_ctx with(int first, ...)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL);
	va_list ap;
	int nr;

	if (ctx == NULL)
		fail("seccomp_init failed");
	va_start(ap, first);
	for (nr = first; nr >= 0; nr = va_arg(ap, int))
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0)
			fail("rule on %d failed", nr);
	va_end(ap);
	return ctx;
}

static void transactions(void)
{
	scmp_filter_ctx ctx = with(0, 1, -1);
	scmp_filter_ctx base = with(0, 1, -1);
	scmp_filter_ctx more = with(0, 1, 2, 3, -1);
	scmp_filter_ctx some = with(0, 1, 2, -1);

	/* A rejected transaction leaves the filter as it was. */
	CHECK(seccomp_transaction_start(ctx) == 0, "start");
	CHECK(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, 2, 0) == 0, "rule in txn");
	seccomp_transaction_reject(ctx);
	CHECK(same(ctx, base), "reject did not roll back");

	/* A committed one keeps its changes. */
	CHECK(seccomp_transaction_start(ctx) == 0, "start");
	CHECK(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, 2, 0) == 0, "rule in txn");
	CHECK(seccomp_transaction_commit(ctx) == 0, "commit");
	CHECK(same(ctx, some), "commit lost the rule");

	/* Nested: the inner commit is still undone by the outer reject. */
	CHECK(seccomp_transaction_start(ctx) == 0, "outer start");
	CHECK(seccomp_transaction_start(ctx) == 0, "inner start");
	CHECK(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, 3, 0) == 0, "inner rule");
	CHECK(seccomp_transaction_commit(ctx) == 0, "inner commit");
	CHECK(same(ctx, more), "inner commit not visible");
	seccomp_transaction_reject(ctx);
	CHECK(same(ctx, some), "outer reject did not undo the inner commit");

	/* Rejecting with nothing open changes nothing. */
	seccomp_transaction_reject(ctx);
	CHECK(same(ctx, some), "reject without transaction changed the filter");

	seccomp_release(ctx);
	seccomp_release(base);
	seccomp_release(more);
	seccomp_release(some);
}

/* has_k reports whether ctx's program compares with or returns k. */
static int has_k(scmp_filter_ctx ctx, uint32_t k)
{
	size_t len, i;
	unsigned char *p = export(ctx, &len);
	int found = 0;

	for (i = 0; p && i + 8 <= len; i += 8) {
		uint32_t v;

		memcpy(&v, p + i + 4, sizeof(v));
		found |= v == k;
	}
	free(p);
	return found;
}

static void merge(void)
{
	scmp_filter_ctx a, b;

	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		return; /* the x86 half needs an x86_64 host */
	a = with(0, -1);
	b = seccomp_init(SCMP_ACT_KILL);
	if (b == NULL)
		fail("seccomp_init failed");
	/* b covers x86 only; rules name syscalls by their host numbers. */
	CHECK(seccomp_arch_add(b, SCMP_ARCH_X86) == 0, "arch_add x86");
	CHECK(seccomp_arch_remove(b, SCMP_ARCH_NATIVE) == 0, "arch_remove native");
	CHECK(seccomp_rule_add(b, SCMP_ACT_ALLOW, SCMP_SYS(getpid), 0) == 0, "rule getpid");
	CHECK(!has_k(a, SCMP_ARCH_X86), "a has x86 before the merge");

	CHECK(seccomp_merge(a, b) == 0, "merge");
	CHECK(seccomp_arch_exist(a, SCMP_ARCH_X86) == 0, "merged filter lacks x86");
	CHECK(seccomp_arch_exist(a, SCMP_ARCH_X86_64) == 0, "merged filter lacks x86_64");
	/* x86's section: its token, and getpid by its x86 number. */
	CHECK(has_k(a, SCMP_ARCH_X86), "merged program has no x86 section");
	CHECK(has_k(a, seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, "getpid")),
	      "merged program does not test x86 getpid");
	/* Merging a filter into one with a different default is refused. */
	b = seccomp_init(SCMP_ACT_ALLOW);
	CHECK(seccomp_merge(a, b) == -EINVAL, "merge with another default");
	seccomp_release(b);
	seccomp_release(a);
}

static void precompute(void)
{
	scmp_filter_ctx ctx = with(0, 1, -1);
	scmp_filter_ctx ref = with(0, 1, 60, -1);

	CHECK(seccomp_precompute(ctx) == 0, "precompute");
	/* A change after precomputing must reach the exported program. */
	CHECK(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, 60, 0) == 0, "rule");
	CHECK(same(ctx, ref), "export after precompute misses a later rule");
	CHECK(seccomp_precompute(ctx) == 0, "precompute again");
	CHECK(same(ctx, ref), "precompute changed the program");
	seccomp_release(ctx);
	seccomp_release(ref);
}

/*
 * Rules between two calls that need the whole filter (export, load, a
 * transaction, a merge, a reset) may be queued by the library rather
 * than applied at once. Whatever comes next must see them, in order:
 * each case builds one filter twice, once straight and once with a
 * precompute after every step, which applies everything so far.
 */
static void queued_rules(void)
{
	scmp_filter_ctx a, b, ref;

	/* A reset drops queued rules with the rest. */
	a = with(0, 1, -1);
	CHECK(seccomp_reset(a, SCMP_ACT_KILL) == 0, "reset");
	CHECK(seccomp_rule_add(a, SCMP_ACT_ALLOW, 2, 0) == 0, "rule after reset");
	ref = with(2, -1);
	CHECK(same(a, ref), "reset kept queued rules");
	seccomp_release(a);
	seccomp_release(ref);

	/* A merge applies the destination's queued rules first. */
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		a = with(0, 1, -1);
		ref = with(0, 1, -1);
		CHECK(seccomp_precompute(ref) == 0, "precompute");
		for (int i = 0; i < 2; i++) {
			b = seccomp_init(SCMP_ACT_KILL);
			if (b == NULL ||
			    seccomp_arch_add(b, SCMP_ARCH_X86) < 0 ||
			    seccomp_arch_remove(b, SCMP_ARCH_NATIVE) < 0 ||
			    seccomp_rule_add(b, SCMP_ACT_ALLOW, SCMP_SYS(getpid), 0) < 0)
				fail("x86 filter");
			CHECK(seccomp_merge(i ? ref : a, b) == 0, "merge");
		}
		CHECK(same(a, ref), "merge lost queued rules");
		seccomp_release(a);
		seccomp_release(ref);
	}

	/* A second rule on a syscall meets the first, queued or not. */
	a = with(0, 1, -1);
	ref = with(0, 1, -1);
	CHECK(seccomp_precompute(ref) == 0, "precompute");
	CHECK(seccomp_rule_add(a, SCMP_ACT_ERRNO(1), 1, 0) ==
	      seccomp_rule_add(ref, SCMP_ACT_ERRNO(1), 1, 0),
	      "second rule on a queued syscall answered differently");
	CHECK(seccomp_precompute(ref) == 0, "precompute");
	CHECK(seccomp_rule_add(a, SCMP_ACT_KILL, 3, 0) == -EACCES,
	      "rule with the default action accepted");
	CHECK(same(a, ref), "queued and applied rules differ");
	seccomp_release(a);
	seccomp_release(ref);

	/* A pseudo number (a call the host lacks) queues too; placing one
	 * exactly is refused either way. */
	{
		int nr = seccomp_syscall_resolve_name("setfsuid32");

		if (nr < 0) {
			a = with(0, -1);
			ref = with(0, -1);
			CHECK(seccomp_precompute(ref) == 0, "precompute");
			CHECK(seccomp_rule_add(a, SCMP_ACT_ERRNO(3), nr, 0) ==
			      seccomp_rule_add(ref, SCMP_ACT_ERRNO(3), nr, 0),
			      "rule on a pseudo number answered differently");
			CHECK(seccomp_precompute(ref) == 0, "precompute");
			CHECK(seccomp_rule_add_exact(a, SCMP_ACT_ERRNO(4), nr - 1, 0) ==
			      seccomp_rule_add_exact(ref, SCMP_ACT_ERRNO(4), nr - 1, 0),
			      "exact rule on a pseudo number answered differently");
			CHECK(same(a, ref), "queued pseudo-number rule differs");
			seccomp_release(a);
			seccomp_release(ref);
		}
	}

	/* Rules queued before an ABI is added stay with the ABIs there
	 * were; later ones reach both. */
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		a = with(SCMP_SYS(getpid), -1);
		ref = with(SCMP_SYS(getpid), -1);
		CHECK(seccomp_precompute(ref) == 0, "precompute");
		CHECK(seccomp_arch_add(a, SCMP_ARCH_X86) == 0, "arch_add");
		CHECK(seccomp_arch_add(ref, SCMP_ARCH_X86) == 0, "arch_add");
		CHECK(seccomp_rule_add(a, SCMP_ACT_ALLOW, SCMP_SYS(getppid), 0) == 0, "rule");
		CHECK(seccomp_rule_add(ref, SCMP_ACT_ALLOW, SCMP_SYS(getppid), 0) == 0, "rule");
		CHECK(same(a, ref), "queued rule crossed an arch_add");
		CHECK(!has_k(a, seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, "getpid")),
		      "a rule queued before arch_add reached the new ABI");
		seccomp_release(a);
		seccomp_release(ref);
	}

	/* A queued rule reaches a loaded filter. */
	a = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (a == NULL)
		fail("seccomp_init failed");
	CHECK(seccomp_rule_add(a, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0) == 0, "rule");
	CHECK(seccomp_rule_add(a, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(getppid), 0) == 0, "rule");
	if (fork() == 0)
		_exit(seccomp_load(a) == 0 && syscall(SYS_getppid) < 0 && errno == ENOTTY ? 0 : 1);
	else {
		int status;

		CHECK(wait(&status) > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "a queued rule did not reach the loaded filter");
	}
	seccomp_release(a);
}

/*
 * A policy too big for the kernel (over 4096 instructions even as plain
 * chains) is refused with -EFAULT, as libseccomp 2.6 refuses it; 2.5 and
 * earlier exported a program the kernel would not load. The values are
 * spaced out: consecutive ones share their outcome over whole ranges,
 * which the search decides in far fewer instructions.
 */
static void oversized(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(1));
	size_t len = 0;
	int i;

	if (ctx == NULL)
		fail("seccomp_init failed");
	for (i = 0; i < 5000; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, 0x10000 + 2 * i)) < 0)
			fail("rule %d refused", i);
	CHECK(seccomp_precompute(ctx) == -EFAULT, "precompute of an oversized filter");
	CHECK(seccomp_export_bpf_mem(ctx, NULL, &len) == -EFAULT, "export of an oversized filter");
	CHECK(seccomp_export_bpf(ctx, -1) == -EFAULT, "export_bpf of an oversized filter");
	seccomp_release(ctx);
}

/*
 * ssb_state loads an allow-all filter with SCMP_FLTATR_CTL_SSB set to
 * ssb (and CTL_LOG on) in a child and returns the child's
 * Speculation_Store_Bypass line: the kernel forces the mitigation on
 * filtered threads unless the filter was loaded with SPEC_ALLOW.
 */
static void ssb_state(int ssb, char *out, size_t n)
{
	int fd[2], status;
	pid_t pid;
	ssize_t got;

	out[0] = '\0';
	if (pipe(fd) < 0)
		fail("pipe");
	pid = fork();
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		char line[256];
		FILE *f;

		close(fd[0]);
		if (ctx == NULL || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, ssb) < 0 ||
		    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1) < 0 ||
		    seccomp_load(ctx) < 0)
			_exit(1);
		f = fopen("/proc/self/status", "r");
		while (f && fgets(line, sizeof(line), f))
			if (strncmp(line, "Speculation_Store_Bypass:", 25) == 0)
				(void)!write(fd[1], line, strlen(line));
		_exit(0);
	}
	close(fd[1]);
	got = read(fd[0], out, n - 1);
	out[got > 0 ? got : 0] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "load with CTL_SSB=%d and CTL_LOG failed", ssb);
}

/* The load flags reach the kernel: SPEC_ALLOW is visible in /proc. */
static void load_flags(void)
{
	char with[128], without[128];

	ssb_state(1, with, sizeof(with));
	ssb_state(0, without, sizeof(without));
	if (strstr(without, "force mitigated") == NULL)
		return; /* this CPU needs no mitigation: nothing to see */
	CHECK(strstr(with, "force mitigated") == NULL,
	      "CTL_SSB did not reach the kernel: %s", with);
}

static void api_level(void)
{
	unsigned int level = seccomp_api_get();
	scmp_filter_ctx ctx;

	CHECK(level >= 3, "API level %u on a modern kernel", level);
	/* Level 2 predates KILL_PROCESS and LOG: they are not actions. */
	CHECK(seccomp_api_set(2) == 0, "api_set(2)");
	CHECK(seccomp_api_get() == 2, "api_get after set");
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	CHECK(ctx == NULL, "KILL_PROCESS accepted at level 2");
	seccomp_release(ctx);
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	CHECK(ctx != NULL, "init ALLOW at level 2");
	CHECK(seccomp_rule_add(ctx, SCMP_ACT_LOG, 1, 0) == -EINVAL,
	      "LOG accepted at level 2");
	CHECK(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(1), 1, 0) == 0, "ERRNO at level 2");
	seccomp_release(ctx);
	/* Back to what the kernel has. */
	CHECK(seccomp_api_set(level) == 0, "api_set(%u)", level);
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	CHECK(ctx != NULL, "KILL_PROCESS refused at level %u", level);
	seccomp_release(ctx);
}
#endif

int main(void)
{
#if HAVE_SCMP_2_6
	transactions();
	merge();
	precompute();
	queued_rules();
	oversized();
	load_flags();
	api_level();
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("transactions, merge, precompute and API levels behave\n");
#else
	printf("needs the 2.6 API\n");
#endif
	return 0;
}
