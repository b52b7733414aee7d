/* A program that knows libseccomp only through pkg-config. */
#include <seccomp.h>
#include <stdio.h>

int main(void)
{
	const struct scmp_version *v = seccomp_version();
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	size_t len = 0;

	if (ctx == NULL)
		return 1;
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(1), SCMP_SYS(ptrace), 0) < 0)
		return 2;
	if (seccomp_export_bpf_mem(ctx, NULL, &len) < 0 || len == 0)
		return 3;
	printf("version %u.%u.%u, %zu bytes of BPF\n", v->major, v->minor, v->micro, len);
	seccomp_release(ctx);
	return 0;
}
