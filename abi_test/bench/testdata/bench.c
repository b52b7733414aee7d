/*
 * bench.c - the C half of `make bench`.
 *
 * It is compiled against the system <seccomp.h> and linked with -lseccomp;
 * which libseccomp.so.2 it meets at run time is decided by LD_LIBRARY_PATH,
 * and it says which one it got by printing seccomp_version(). The Go side
 * (../main.go) writes the policy scripts, runs this program, and does all
 * analysis of the exported filters.
 *
 *   bench names NAME...
 *       print "NAME NR" for every name the library resolves.
 *   bench gen OPT RUNS BPF-OUT SCRIPT
 *       build SCRIPT once (reporting the first failing call), then RUNS
 *       more times from seccomp_init to export, timed; write the filter's
 *       raw sock_filter array to BPF-OUT.
 *   bench live OPT ITERS RESULT SCRIPT CASE...
 *       time ITERS calls of each CASE (LABEL:NR:WANT:A0:A1:A2, WANT being
 *       "ok" or an errno), the case labelled "base" before the filter is
 *       loaded and the others after; results go to the RESULT file through a
 *       shared mapping because the filter may deny write(2).
 *
 * Script lines:  "default ACTION" and
 *                "rule ACTION NAME NCOND [ARG OP DATUM_A DATUM_B]..."
 * with ACTION a raw SCMP_ACT_* value and OP an enum scmp_compare.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_RULES 1024
#define MAX_CONDS 6
#define RESULT_SIZE 4096

struct rule {
	uint32_t action;
	char name[64];
	unsigned int ncond;
	struct scmp_arg_cmp cond[MAX_CONDS];
};

struct policy {
	uint32_t def;
	unsigned int nrules;
	struct rule rules[MAX_RULES];
};

static struct policy pol;

/* libseccomp 2.6's seccomp_export_bpf_mem; absent from 2.5.4, so found at
 * run time instead of through the 2.5.4 header. */
typedef int (*export_mem_fn)(const scmp_filter_ctx, void *, size_t *);
static export_mem_fn export_mem;

static void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void read_script(const char *path)
{
	FILE *f = fopen(path, "r");
	char word[16];

	if (!f)
		die(path);
	while (fscanf(f, "%15s", word) == 1) {
		if (strcmp(word, "default") == 0) {
			if (fscanf(f, "%" SCNx32, &pol.def) != 1)
				goto bad;
		} else if (strcmp(word, "rule") == 0) {
			struct rule *r = &pol.rules[pol.nrules];

			if (pol.nrules == MAX_RULES)
				goto bad;
			if (fscanf(f, "%" SCNx32 " %63s %u", &r->action, r->name, &r->ncond) != 3 ||
			    r->ncond > MAX_CONDS)
				goto bad;
			for (unsigned int i = 0; i < r->ncond; i++) {
				struct scmp_arg_cmp *c = &r->cond[i];
				unsigned int arg, op;

				if (fscanf(f, "%u %u %" SCNx64 " %" SCNx64, &arg, &op,
					   &c->datum_a, &c->datum_b) != 4)
					goto bad;
				c->arg = arg;
				c->op = op;
			}
			pol.nrules++;
		} else {
			goto bad;
		}
	}
	fclose(f);
	return;
bad:
	fprintf(stderr, "bench: %s: malformed script\n", path);
	exit(2);
}

/*
 * build turns the script into a filter. Names the library does not know are
 * skipped, as runc and systemd skip them; *skipped counts them. On failure
 * it returns the negative errno and names the failing step in *what.
 */
static int build(int opt, scmp_filter_ctx *out, int *skipped, const char **what)
{
	scmp_filter_ctx ctx = seccomp_init(pol.def);
	int rc;

	*skipped = 0;
	if (!ctx) {
		*what = "seccomp_init";
		return -ENOMEM;
	}
	if (opt > 1) {
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, opt);
		if (rc < 0) {
			*what = "seccomp_attr_set(CTL_OPTIMIZE)";
			goto fail;
		}
	}
	for (unsigned int i = 0; i < pol.nrules; i++) {
		struct rule *r = &pol.rules[i];
		int nr = seccomp_syscall_resolve_name(r->name);

		if (nr == __NR_SCMP_ERROR) {
			(*skipped)++;
			continue;
		}
		rc = seccomp_rule_add_array(ctx, r->action, nr, r->ncond, r->cond);
		if (rc < 0) {
			*what = r->ncond ? "seccomp_rule_add (argument rule)" : "seccomp_rule_add";
			goto fail;
		}
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void print_version(void)
{
	const struct scmp_version *v = seccomp_version();
	Dl_info info;

	printf("version %u.%u.%u\n", v->major, v->minor, v->micro);
	if (dladdr((void *)seccomp_init, &info) && info.dli_fname)
		printf("library %s\n", info.dli_fname);
}

static int cmd_names(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		int nr = seccomp_syscall_resolve_name(argv[i]);

		if (nr != __NR_SCMP_ERROR)
			printf("%s %d\n", argv[i], nr);
	}
	return 0;
}

static int cmd_gen(int opt, int runs, const char *bpf_out, const char *script)
{
	static unsigned char buf[4096 * 8];
	scmp_filter_ctx ctx;
	const char *what = "";
	uint64_t *ns;
	int skipped, rc, devnull, fd;

	read_script(script);
	print_version();
	export_mem = (export_mem_fn)dlsym(RTLD_DEFAULT, "seccomp_export_bpf_mem");
	printf("export %s\n", export_mem ? "seccomp_export_bpf_mem" : "seccomp_export_bpf");

	rc = build(opt, &ctx, &skipped, &what);
	if (rc < 0) {
		printf("error %d %s\n", rc, what);
		return 0;
	}
	printf("skipped %d\n", skipped);
	fd = open(bpf_out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(bpf_out);
	rc = seccomp_export_bpf(ctx, fd);
	close(fd);
	seccomp_release(ctx);
	if (rc < 0) {
		printf("error %d seccomp_export_bpf\n", rc);
		return 0;
	}

	devnull = open("/dev/null", O_WRONLY);
	ns = calloc(runs, sizeof(*ns));
	if (devnull < 0 || !ns)
		die("setup");
	for (int i = 0; i < runs; i++) {
		uint64_t t0 = now_ns();
		size_t len = sizeof(buf);

		if (build(opt, &ctx, &skipped, &what) < 0)
			die("rebuild");
		rc = export_mem ? export_mem(ctx, buf, &len) : seccomp_export_bpf(ctx, devnull);
		seccomp_release(ctx);
		ns[i] = now_ns() - t0;
		if (rc < 0) {
			printf("error %d export in timing loop\n", rc);
			return 0;
		}
	}
	qsort(ns, runs, sizeof(*ns), cmp_u64);
	printf("gen_ns %" PRIu64 " %" PRIu64 "\n", ns[0], ns[runs / 2]);
	return 0;
}

#if defined(__x86_64__)
static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	/* lfence keeps rdtsc from drifting across the syscall either way. */
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* The raw instruction, so libc's errno handling is not part of the cost. */
static inline long sys3(long nr, long a0, long a1, long a2)
{
	long ret;
	register long r10 __asm__("r10") = 0;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

struct live_case {
	char label[32];
	long nr, a[3];
	long want; /* 1: any non-negative result; otherwise -errno */
};

static int parse_case(const char *spec, struct live_case *c)
{
	char want[16];

	if (sscanf(spec, "%31[^:]:%ld:%15[^:]:%lx:%lx:%lx", c->label, &c->nr, want,
		   &c->a[0], &c->a[1], &c->a[2]) != 6)
		return -1;
	c->want = strcmp(want, "ok") == 0 ? 1 : -atol(want);
	return 0;
}

/*
 * select_nth returns the k-th smallest of d[0..n), reordering d in place.
 * Not qsort: glibc's may malloc, and the filter may deny brk and mmap.
 */
static uint64_t select_nth(uint64_t *d, long n, long k)
{
	long lo = 0, hi = n - 1;

	while (lo < hi) {
		uint64_t pivot = d[lo + (hi - lo) / 2], t;
		long i = lo, j = hi;

		while (i <= j) {
			while (d[i] < pivot)
				i++;
			while (d[j] > pivot)
				j--;
			if (i <= j) {
				t = d[i], d[i] = d[j], d[j] = t;
				i++, j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return d[k];
}

/* Calls timed together in the batched pass; see measure. */
#define BATCH 100

/*
 * measure appends "LABEL[SUFFIX] MIN MEDIAN BMIN BMEDIAN" (or why not) to
 * out; no syscalls but the measured one. MIN and MEDIAN are of single
 * calls, each between two rdtsc; on a VM the TSC may advance in steps of
 * tens of ticks, so BMIN and BMEDIAN time batches of BATCH calls and give
 * the cost per call of the cheapest and the median batch, to a hundredth
 * of a tick. Without a filter (suffix "-nofilter") the result is not
 * checked: a denied call then does something else.
 */
static void measure(const struct live_case *c, const char *suffix, uint64_t *d, long iters,
		    char *out)
{
	long got = sys3(c->nr, c->a[0], c->a[1], c->a[2]);
	long batches = iters / BATCH;
	size_t n = strlen(out);
	uint64_t min, med;

	if (!*suffix && (c->want == 1 ? got < 0 : got != c->want)) {
		snprintf(out + n, RESULT_SIZE - n, "%s bad %ld\n", c->label, got);
		return;
	}
	for (long i = 0; i < iters; i++) {
		uint64_t t0 = tsc();

		sys3(c->nr, c->a[0], c->a[1], c->a[2]);
		d[i] = tsc() - t0;
	}
	min = select_nth(d, iters, 0);
	med = select_nth(d, iters, iters / 2);
	for (long b = 0; b < batches; b++) {
		uint64_t t0 = tsc();

		for (int i = 0; i < BATCH; i++)
			sys3(c->nr, c->a[0], c->a[1], c->a[2]);
		d[b] = tsc() - t0;
	}
	snprintf(out + n, RESULT_SIZE - n, "%s%s %" PRIu64 " %" PRIu64 " %.2f %.2f\n", c->label,
		 suffix, min, med, (double)select_nth(d, batches, 0) / BATCH,
		 (double)select_nth(d, batches, batches / 2) / BATCH);
}

static int cmd_live(int opt, long iters, const char *result, const char *script, int ncase,
		    char **specs)
{
	struct live_case cases[8];
	struct rlimit nocore = { 0, 0 };
	scmp_filter_ctx ctx;
	const char *what = "";
	uint64_t *d;
	char *out;
	char bpf_path[4096];
	int fd, bpf_fd, rc, skipped;

	read_script(script);
	if (iters < BATCH) {
		fprintf(stderr, "bench: live needs at least %d calls per case\n", BATCH);
		return 2;
	}
	if (ncase > 8)
		ncase = 8;
	for (int i = 0; i < ncase; i++)
		if (parse_case(specs[i], &cases[i]) < 0) {
			fprintf(stderr, "bench: bad case %s\n", specs[i]);
			return 2;
		}
	/* Everything that needs a syscall happens before the filter goes on. */
	fd = open(result, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, RESULT_SIZE) < 0)
		die(result);
	out = mmap(NULL, RESULT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	d = malloc(iters * sizeof(*d));
	if (out == MAP_FAILED || !d)
		die("setup");
	memset(d, 0, iters * sizeof(*d)); /* fault the pages in now */
	setrlimit(RLIMIT_CORE, &nocore);

	/* Every call once without a filter: what the filter adds is the
	 * difference. "base" is the table's own no-filter column. */
	for (int i = 0; i < ncase; i++)
		measure(&cases[i], strcmp(cases[i].label, "base") == 0 ? "" : "-nofilter", d,
			iters, out);

	rc = build(opt, &ctx, &skipped, &what);
	if (rc < 0) {
		snprintf(out + strlen(out), RESULT_SIZE - strlen(out), "error %d %s\ndone\n", rc,
			 what);
		return 0;
	}
	/* The program as loaded, for the parent to count what each case runs. */
	snprintf(bpf_path, sizeof(bpf_path), "%s.bpf", result);
	bpf_fd = open(bpf_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (bpf_fd < 0)
		die(bpf_path);
	rc = seccomp_export_bpf(ctx, bpf_fd);
	close(bpf_fd);
	if (rc < 0) {
		snprintf(out + strlen(out), RESULT_SIZE - strlen(out),
			 "error %d seccomp_export_bpf\ndone\n", rc);
		return 0;
	}
	rc = seccomp_load(ctx);
	if (rc < 0) {
		snprintf(out + strlen(out), RESULT_SIZE - strlen(out),
			 "error %d seccomp_load\ndone\n", rc);
		return 0;
	}
	for (int i = 0; i < ncase; i++)
		if (strcmp(cases[i].label, "base") != 0)
			measure(&cases[i], "", d, iters, out);
	strcat(out, "done\n");
	/* exit_group may be denied; the parent accepts any death after "done". */
	_exit(0);
}
#else
static int cmd_live(int opt, long iters, const char *result, const char *script, int ncase,
		    char **specs)
{
	(void)opt, (void)iters, (void)result, (void)script, (void)ncase, (void)specs;
	fprintf(stderr, "bench: live costs need rdtsc (x86_64 only)\n");
	return 3;
}
#endif

/*
 * startup: what loading the library costs a process that uses it once:
 * create and release one context, then report the process's threads,
 * resident and virtual size. The caller times the whole process.
 */
static int cmd_startup(void)
{
	char line[256];
	FILE *f;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (ctx == NULL)
		return 1;
	seccomp_release(ctx);
	f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return 1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Threads:", 8) == 0 ||
		    strncmp(line, "VmRSS:", 6) == 0 ||
		    strncmp(line, "VmSize:", 7) == 0)
			fputs(line, stdout);
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "startup") == 0)
		return cmd_startup();
	if (argc >= 2 && strcmp(argv[1], "names") == 0)
		return cmd_names(argc - 2, argv + 2);
	if (argc == 6 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(atoi(argv[2]), atoi(argv[3]), argv[4], argv[5]);
	if (argc >= 6 && strcmp(argv[1], "live") == 0)
		return cmd_live(atoi(argv[2]), atol(argv[3]), argv[4], argv[5], argc - 6, argv + 6);
	fprintf(stderr, "usage: bench names|gen|live|startup ...\n");
	return 2;
}
