/*
 * The classic sandbox: a ~300 syscall allowlist whose default action kills.
 *
 * The parent builds and exports the filter, a forked child loads it, shows
 * that allowed syscalls still work by reporting through a pipe, and then
 * makes one forbidden call.  The parent expects the child's messages up to
 * that call and a death by SIGSYS, for both KILL_PROCESS and KILL (thread).
 *
 * KILL only takes down the calling thread, so it kills the process only if
 * the library left the child single-threaded, as a C library does.  One run
 * also skips exporting before the fork, so the child's seccomp_load() has
 * to generate the program itself, as in most real programs.
 */
#include "common.h"

static void __attribute__((noreturn)) child(void *ctx, int out)
{
	pid_t me = getpid();
	int rc;

	no_core_dumps();
	rc = seccomp_load(ctx);
	if (rc != 0) {
		dprintf(out, "seccomp_load returned %d\n", rc);
		_exit(2);
	}

	if (syscall(SYS_getpid) != me) {
		dprintf(out, "getpid gave a different answer under the filter\n");
		_exit(3);
	}
	dprintf(out, "alive\n");
	dprintf(out, "seccomp=%ld threads=%ld\n",
		proc_status_field("Seccomp"), proc_status_field("Threads"));
	dprintf(out, "calling ptrace\n");

	forbidden_syscall();

	dprintf(out, "survived ptrace\n");
	_exit(4);
}

static void run(uint32_t def_action, const char *name, bool export_first)
{
	unsigned int added, skipped;
	scmp_filter_ctx ctx;
	char out[4096];
	size_t insns;
	int status;
	bool exited;

	ctx = seccomp_init(def_action);
	if (!ctx)
		fail("seccomp_init(%s) returned NULL", name);
	added = add_allowlist(ctx, SCMP_ACT_ALLOW, &skipped);
	/* the list is mostly x86_64/generic names; most must resolve */
	if (added < ALLOWLIST_LEN / 2)
		fail("only %u of %zu allowlist names resolved", added,
		     ALLOWLIST_LEN);
	insns = export_first ? export_and_compare(ctx) : 0;

	exited = fork_reporting(child, ctx, &status, out, sizeof(out));

	if (!exited && !strstr(out, "calling ptrace"))
		fail("%s: child hung before its forbidden call (in seccomp_load?); it said:\n%s",
		     name, out);
	if (!exited)
		fail("%s: child still alive %ds after the forbidden call; it said:\n%s",
		     name, CHILD_TIMEOUT, out);
	if (!strstr(out, "alive\n") || !strstr(out, "calling ptrace\n"))
		fail("%s: child did not get through its allowed calls (%s); it said:\n%s",
		     name, describe_status(status), out);
	if (!strstr(out, "seccomp=2 "))
		fail("%s: /proc/self/status does not show filter mode 2; child said:\n%s",
		     name, out);
	if (strstr(out, "survived"))
		fail("%s: the forbidden syscall was allowed; child said:\n%s",
		     name, out);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		fail("%s: child %s, want killed by SIGSYS; it said:\n%s",
		     name, describe_status(status), out);

	if (export_first)
		printf("%s: %u rules (%u names skipped), %zu BPF instructions, child killed by SIGSYS\n",
		       name, added, skipped, insns);
	else
		printf("%s: %u rules, not exported before fork, child killed by SIGSYS\n",
		       name, added);
	seccomp_release(ctx);
}

int main(void)
{
	run(SCMP_ACT_KILL_PROCESS, "KILL_PROCESS", true);
	run(SCMP_ACT_KILL, "KILL", true);
	run(SCMP_ACT_KILL_PROCESS, "KILL_PROCESS", false);
	return 0;
}
