/*
 * A guided tour: build a large allowlist, show what was built, run a child
 * under it, and watch the child die when it steps outside the list.
 */
#include "common.h"

static const char *arch_name(uint32_t token)
{
	static const struct { uint32_t token; const char *name; } arches[] = {
		{ SCMP_ARCH_X86_64, "x86_64" }, { SCMP_ARCH_X86, "x86" },
		{ SCMP_ARCH_X32, "x32" }, { SCMP_ARCH_AARCH64, "aarch64" },
		{ SCMP_ARCH_ARM, "arm" }, { SCMP_ARCH_RISCV64, "riscv64" },
		{ SCMP_ARCH_PPC64LE, "ppc64le" }, { SCMP_ARCH_S390X, "s390x" },
	};
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i].token == token)
			return arches[i].name;
	return "unknown";
}

/* Program size in instructions, from memory when the library can do that. */
static size_t program_insns(scmp_filter_ctx ctx)
{
	size_t len = 0;

#if HAVE_SCMP_2_6
	int rc = seccomp_export_bpf_mem(ctx, NULL, &len);

	if (rc != 0)
		fail("seccomp_export_bpf_mem returned %d", rc);
#else
	free(export_bpf_fd(ctx, &len));
#endif
	return len / 8;
}

static void __attribute__((noreturn)) child(scmp_filter_ctx ctx)
{
	long mode;
	int rc;

	no_core_dumps();
	rc = seccomp_load(ctx);
	if (rc != 0) {
		fprintf(stderr, "child: seccomp_load failed: %s\n", strerror(-rc));
		_exit(2);
	}
	mode = proc_status_field("Seccomp");
	printf("child:  filter loaded; /proc/self/status says Seccomp: %ld\n",
	       mode);
	if (mode != 2)
		_exit(4);
	printf("child:  now calling ptrace(), which is not on the list...\n");
	fflush(stdout);

	forbidden_syscall();

	printf("child:  ...and survived, which is wrong\n");
	_exit(3);
}

int main(void)
{
	const struct scmp_version *v = seccomp_version();
	unsigned int added, skipped;
	scmp_filter_ctx ctx;
	int status;
	pid_t pid;

	printf("libseccomp %u.%u.%u on %s\n", v->major, v->minor, v->micro,
	       arch_name(seccomp_arch_native()));

	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		fail("seccomp_init failed");
	added = add_allowlist(ctx, SCMP_ACT_ALLOW, &skipped);
	printf("filter: %u syscalls allowed (%u names not on this arch), "
	       "everything else kills the process\n", added, skipped);
	printf("filter: %zu BPF instructions\n", program_insns(ctx));
	fflush(stdout);

	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0)
		child(ctx);

	if (!wait_child(pid, CHILD_TIMEOUT, &status))
		fail("child hung after the forbidden call");
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		fail("child %s, expected SIGSYS", describe_status(status));
	printf("parent: child killed by SIGSYS as expected\n");

	seccomp_release(ctx);
	return 0;
}
