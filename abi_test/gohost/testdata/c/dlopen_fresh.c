/*
 * A process that has never loaded libseccomp opens it by path, uses it
 * only through dlsym(), and closes it again.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define ALLOW 0x7fff0000U
#define ERRNO(x) (0x00050000U | ((x) & 0xffffU))

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (!p) {
		fprintf(stderr, "dlsym(%s): %s\n", name, dlerror());
		exit(1);
	}
	return p;
}

static int mapped(const char *path)
{
	char line[4096];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, path))
			found = 1;
	if (f)
		fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	void *h, *ctx;
	void *(*init)(unsigned int);
	int (*rule_add)(void *, unsigned int, int, unsigned int, ...);
	int (*load)(void *);
	void (*release)(void *);
	int status;
	pid_t pid;

	if (argc != 2)
		return 2;
	if (mapped(argv[1])) {
		fprintf(stderr, "library mapped before dlopen\n");
		return 1;
	}
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	init = sym(h, "seccomp_init");
	rule_add = sym(h, "seccomp_rule_add");
	load = sym(h, "seccomp_load");
	release = sym(h, "seccomp_release");

	ctx = init(ALLOW);
	if (!ctx || rule_add(ctx, ERRNO(EPERM), SYS_getppid, 0) != 0) {
		fprintf(stderr, "building the filter failed\n");
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		if (load(ctx) != 0)
			_exit(2);
		_exit(syscall(SYS_getppid) == -1 && errno == EPERM ? 0 : 3);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child: status 0x%x\n", status);
		return 1;
	}
	release(ctx);
	if (dlclose(h) != 0) {
		fprintf(stderr, "dlclose: %s\n", dlerror());
		return 1;
	}
	/* A Go runtime cannot be unloaded: the library must stay. */
	if (!mapped(argv[1])) {
		fprintf(stderr, "library unmapped by dlclose\n");
		return 1;
	}
	ctx = init(ALLOW);
	if (!ctx) {
		fprintf(stderr, "seccomp_init after dlclose failed\n");
		return 1;
	}
	release(ctx);
	printf("dlopen, dlsym, load in a child, dlclose: ok\n");
	return 0;
}
