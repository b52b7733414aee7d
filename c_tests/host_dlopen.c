/*
 * dlopen() and dlsym(), the way systemd reaches libseccomp: by name, with
 * every function looked up at run time, and dlclose() when done.
 *
 * The program is linked against the library as well (the runner checks
 * that it resolves to the build under test), so dlopen() finds it loaded;
 * abi_test/gohost covers a process that has never loaded it. What this
 * checks is that the looked-up entry points are the real ones, that a
 * filter built through them works, and that dlclose() leaves the library
 * usable: the Go runtime cannot be unloaded, so the library is marked
 * NODELETE and must stay mapped.
 */
#include "common.h"

#include <dlfcn.h>

struct api {
	const struct scmp_version *(*version)(void);
	scmp_filter_ctx (*init)(uint32_t);
	int (*rule_add)(scmp_filter_ctx, uint32_t, int, unsigned int, ...);
	int (*export_bpf)(const scmp_filter_ctx, int);
	int (*load)(const scmp_filter_ctx);
	void (*release)(scmp_filter_ctx);
};

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (!p)
		fail("dlsym(%s): %s", name, dlerror());
	return p;
}

static void use(const struct api *a)
{
	scmp_filter_ctx ctx;
	int status, p[2];
	pid_t pid;

	if (a->version()->major != 2 || a->version()->minor != 6)
		fail("dlsym'd seccomp_version says %u.%u",
		     a->version()->major, a->version()->minor);
	ctx = a->init(SCMP_ACT_ALLOW);
	if (!ctx)
		fail("dlsym'd seccomp_init failed");
	if (a->rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(getppid), 0) != 0)
		fail("dlsym'd seccomp_rule_add failed");
	if (pipe(p) < 0)
		fail("pipe: %s", strerror(errno));
	if (a->export_bpf(ctx, p[1]) != 0)
		fail("dlsym'd seccomp_export_bpf failed");
	close(p[0]);
	close(p[1]);

	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		if (a->load(ctx) != 0)
			_exit(2);
		_exit(syscall(SYS_getppid) == -1 && errno == EPERM ? 0 : 3);
	}
	if (!wait_child(pid, CHILD_TIMEOUT, &status))
		fail("child hung");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("child %s", describe_status(status));
	a->release(ctx);
}

int main(void)
{
	Dl_info info;
	struct api a;
	void *h;

	/* The path the process loaded the library from. */
	if (!dladdr((void *)seccomp_version, &info) || !info.dli_fname)
		fail("dladdr found no file for seccomp_version");
	h = dlopen(info.dli_fname, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		fail("dlopen(%s): %s", info.dli_fname, dlerror());

	a.version = sym(h, "seccomp_version");
	a.init = sym(h, "seccomp_init");
	a.rule_add = sym(h, "seccomp_rule_add");
	a.export_bpf = sym(h, "seccomp_export_bpf");
	a.load = sym(h, "seccomp_load");
	a.release = sym(h, "seccomp_release");
	if ((void *)a.init != (void *)seccomp_init)
		fail("dlsym(seccomp_init) is not the linked seccomp_init");
	if (dlsym(h, "stgo_init") || dlsym(h, "crosscall2"))
		fail("dlsym finds internal symbols: the version script leaks");
	use(&a);

	if (dlclose(h) != 0)
		fail("dlclose: %s", dlerror());
	/* Still mapped and working after dlclose. */
	use(&a);
	printf("dlopen(%s), dlsym, a filter built and loaded, dlclose: "
	       "still usable\n", info.dli_fname);
	return 0;
}
