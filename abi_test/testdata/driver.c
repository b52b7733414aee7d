/*
 * driver: replay a libseccomp call script and report every result.
 *
 * The differential tests build this once against the system <seccomp.h> and
 * run it twice, once with the system libseccomp and once with ours ahead of
 * it on LD_LIBRARY_PATH, then compare the two transcripts. It never loads a
 * filter into the kernel.
 *
 * Input, on stdin, one command a line; blank lines and lines starting with
 * '#' are skipped but still counted:
 *
 *   version                  library version          payload MAJOR.MINOR.MICRO
 *   libpath                  file seccomp_init came from   payload PATH
 *   api_get                  seccomp_api_get()        rc is the level
 *   arch_native              seccomp_arch_native()    payload TOKEN
 *   init ACTION              seccomp_init(); releases any previous context;
 *                            rc 0 for a context, -1 for NULL
 *   reset ACTION             seccomp_reset(ctx, ACTION)
 *   release                  seccomp_release(ctx), forget ctx; rc 0
 *   arch_add TOKEN           seccomp_arch_add
 *   arch_remove TOKEN        seccomp_arch_remove
 *   arch_exist TOKEN         seccomp_arch_exist
 *   attr_set ATTR VALUE      seccomp_attr_set
 *   attr_get ATTR            seccomp_attr_get         payload VALUE
 *   priority NR PRI          seccomp_syscall_priority
 *   rule ACTION NR [ARG OP DATUM_A DATUM_B]...
 *                            seccomp_rule_add_array, one scmp_arg_cmp per
 *                            group of four
 *   rule_exact ACTION NR [ARG OP DATUM_A DATUM_B]...
 *                            seccomp_rule_add_exact_array
 *   export                   seccomp_export_bpf       payload HEX (the bytes
 *                            written, i.e. struct sock_filter in host order)
 *   null VERB ARGS...        VERB with a NULL context (for verbs that take one)
 *   resolve_name NAME        seccomp_syscall_resolve_name   rc is the number
 *   resolve_name_arch TOKEN NAME
 *                            seccomp_syscall_resolve_name_arch   rc is the number
 *   resolve_name_rewrite TOKEN NAME
 *                            seccomp_syscall_resolve_name_rewrite   rc is the
 *                            number
 *   resolve_num_arch TOKEN NR
 *                            seccomp_syscall_resolve_num_arch   payload NAME,
 *                            or "(null)" for NULL
 *   arch_resolve NAME        seccomp_arch_resolve_name   payload TOKEN (0 when
 *                            unknown)
 *
 * The resolver verbs need no context and may come before any init.
 *
 * Numbers are C literals (strtoull/strtoll base 0, so 0x.. and negatives
 * work). ACTION, and the VALUE of attr_set, may also be ALLOW, KILL,
 * KILL_THREAD, KILL_PROCESS, TRAP, LOG, NOTIFY, ERRNO(n) or TRACE(n); TOKEN
 * may be "native" for 0; OP may be NE, LT, LE, EQ, GE, GT or MASKED_EQ.
 *
 * Output, on stdout, exactly one line for each command, flushed at once so
 * a hung call leaves the transcript up to the line before it:
 *
 *   LINENO VERB RC [PAYLOAD]
 *
 * LINENO counts input lines from 1; VERB is echoed as given (with "null "
 * folded to "null-VERB"). A malformed command prints "LINENO VERB bad" and
 * ends the run with exit status 2.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#define MAX_ARGS 16

static unsigned long lineno;
static const char *verb;

static void bad(const char *why)
{
	printf("%lu %s bad\n", lineno, verb);
	fprintf(stderr, "driver: line %lu: %s\n", lineno, why);
	exit(2);
}

static void report(long rc, const char *payload)
{
	if (payload)
		printf("%lu %s %ld %s\n", lineno, verb, rc, payload);
	else
		printf("%lu %s %ld\n", lineno, verb, rc);
	fflush(stdout);
}

static uint64_t num_u(const char *s)
{
	char *end;

	if (!s)
		bad("missing number");
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (errno || *end || end == s) {
		/* Allow negative literals for unsigned fields, as C would. */
		int64_t sv = strtoll(s, &end, 0);
		if (errno || *end || end == s)
			bad("not a number");
		v = (uint64_t)sv;
	}
	return v;
}

static int64_t num_s(const char *s)
{
	char *end;

	if (!s)
		bad("missing number");
	errno = 0;
	int64_t v = strtoll(s, &end, 0);
	if (errno || *end || end == s)
		bad("not a number");
	return v;
}

static uint32_t action(const char *s)
{
	static const struct {
		const char *name;
		uint32_t value;
	} names[] = {
		{ "ALLOW", SCMP_ACT_ALLOW },
		{ "KILL", SCMP_ACT_KILL },
		{ "KILL_THREAD", SCMP_ACT_KILL_THREAD },
		{ "KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
		{ "TRAP", SCMP_ACT_TRAP },
		{ "LOG", SCMP_ACT_LOG },
		{ "NOTIFY", SCMP_ACT_NOTIFY },
	};
	unsigned int n;
	char tail;

	if (!s)
		bad("missing action");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].value;
	if (sscanf(s, "ERRNO(%u%c", &n, &tail) == 2 && tail == ')')
		return SCMP_ACT_ERRNO(n);
	if (sscanf(s, "TRACE(%u%c", &n, &tail) == 2 && tail == ')')
		return SCMP_ACT_TRACE(n);
	return (uint32_t)num_u(s);
}

static uint32_t arch_token(const char *s)
{
	if (s && !strcmp(s, "native"))
		return SCMP_ARCH_NATIVE;
	return (uint32_t)num_u(s);
}

static enum scmp_compare compare_op(const char *s)
{
	static const char *const names[] = {
		[SCMP_CMP_NE] = "NE", [SCMP_CMP_LT] = "LT",
		[SCMP_CMP_LE] = "LE", [SCMP_CMP_EQ] = "EQ",
		[SCMP_CMP_GE] = "GE", [SCMP_CMP_GT] = "GT",
		[SCMP_CMP_MASKED_EQ] = "MASKED_EQ",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && s && !strcmp(s, names[i]))
			return (enum scmp_compare)i;
	/* Out-of-range values are passed through: they are test input. */
	return (enum scmp_compare)num_u(s);
}

/* Exported programs go through one scratch file, emptied before each use. */
static FILE *scratch;

static void export_bpf(scmp_filter_ctx ctx)
{
	struct stat st;
	int fd = fileno(scratch);

	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET))
		bad("cannot empty scratch file");
	int rc = seccomp_export_bpf(ctx, fd);
	if (fstat(fd, &st))
		bad("cannot stat scratch file");

	char *hex = malloc(2 * (size_t)st.st_size + 2);
	unsigned char *buf = malloc((size_t)st.st_size + 1);
	if (!hex || !buf)
		bad("out of memory");
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
		bad("short read from scratch file");
	for (off_t i = 0; i < st.st_size; i++)
		sprintf(hex + 2 * i, "%02x", buf[i]);
	/* An empty program still gets a payload field, so lines parse alike. */
	report(rc, st.st_size ? hex : "-");
	free(hex);
	free(buf);
}

static void rule(scmp_filter_ctx ctx, char **tok, int ntok, int exact)
{
	struct scmp_arg_cmp cmp[MAX_ARGS];
	unsigned int n = 0;

	if (ntok < 2 || (ntok - 2) % 4 || (ntok - 2) / 4 > MAX_ARGS)
		bad("rule wants ACTION NR and groups of ARG OP DATUM_A DATUM_B");
	uint32_t act = action(tok[0]);
	int nr = (int)num_s(tok[1]);
	for (int i = 2; i < ntok; i += 4, n++) {
		cmp[n].arg = (unsigned int)num_u(tok[i]);
		cmp[n].op = compare_op(tok[i + 1]);
		cmp[n].datum_a = num_u(tok[i + 2]);
		cmp[n].datum_b = num_u(tok[i + 3]);
	}
	if (exact)
		report(seccomp_rule_add_exact_array(ctx, act, nr, n, cmp), NULL);
	else
		report(seccomp_rule_add_array(ctx, act, nr, n, cmp), NULL);
}

/* run executes one command; ctx is the context the verb should see. */
static void run(scmp_filter_ctx ctx, char **tok, int ntok)
{
	char payload[4096];
	const char *v = verb;

	/* Skip the "null" prefix, if any, to find the verb proper. */
	if (!strncmp(v, "null-", 5))
		v += 5;

#define ARGS(n) do { if (ntok != (n)) bad("wrong number of arguments"); } while (0)
	if (!strcmp(v, "reset")) {
		ARGS(1);
		report(seccomp_reset(ctx, action(tok[0])), NULL);
	} else if (!strcmp(v, "arch_add")) {
		ARGS(1);
		report(seccomp_arch_add(ctx, arch_token(tok[0])), NULL);
	} else if (!strcmp(v, "arch_remove")) {
		ARGS(1);
		report(seccomp_arch_remove(ctx, arch_token(tok[0])), NULL);
	} else if (!strcmp(v, "arch_exist")) {
		ARGS(1);
		report(seccomp_arch_exist(ctx, arch_token(tok[0])), NULL);
	} else if (!strcmp(v, "attr_set")) {
		ARGS(2);
		/* Values of the action attributes may be spelled as actions. */
		report(seccomp_attr_set(ctx, (enum scmp_filter_attr)num_u(tok[0]),
					action(tok[1])), NULL);
	} else if (!strcmp(v, "attr_get")) {
		uint32_t value = 0;
		ARGS(1);
		int rc = seccomp_attr_get(ctx, (enum scmp_filter_attr)num_u(tok[0]), &value);
		snprintf(payload, sizeof(payload), "%" PRIu32, value);
		report(rc, payload);
	} else if (!strcmp(v, "priority")) {
		ARGS(2);
		report(seccomp_syscall_priority(ctx, (int)num_s(tok[0]),
						(uint8_t)num_u(tok[1])), NULL);
	} else if (!strcmp(v, "rule")) {
		rule(ctx, tok, ntok, 0);
	} else if (!strcmp(v, "rule_exact")) {
		rule(ctx, tok, ntok, 1);
	} else if (!strcmp(v, "release")) {
		/* Only reachable as "null release": main handles the real one. */
		ARGS(0);
		seccomp_release(ctx);
		report(0, NULL);
	} else if (!strcmp(v, "export")) {
		ARGS(0);
		export_bpf(ctx);
	} else {
		bad("unknown verb");
	}
#undef ARGS
}

int main(void)
{
	static char line[1 << 16];
	char nullverb[64];
	char *tok[4 + 4 * MAX_ARGS];
	scmp_filter_ctx ctx = NULL;

	scratch = tmpfile();
	if (!scratch) {
		perror("driver: tmpfile");
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		int ntok = 0;
		char *save, *t;

		lineno++;
		if (!strchr(line, '\n') && !feof(stdin))
			bad("line too long");
		for (t = strtok_r(line, " \t\r\n", &save); t;
		     t = strtok_r(NULL, " \t\r\n", &save)) {
			if (ntok == (int)(sizeof(tok) / sizeof(tok[0])))
				bad("too many fields");
			tok[ntok++] = t;
		}
		if (ntok == 0 || tok[0][0] == '#')
			continue;
		verb = tok[0];

		if (!strcmp(verb, "null")) {
			if (ntok < 2)
				bad("null wants a verb");
			snprintf(nullverb, sizeof(nullverb), "null-%s", tok[1]);
			verb = nullverb;
			run(NULL, tok + 2, ntok - 2);
		} else if (!strcmp(verb, "version")) {
			const struct scmp_version *ver = seccomp_version();
			char buf[64];
			snprintf(buf, sizeof(buf), "%u.%u.%u", ver->major, ver->minor, ver->micro);
			report(0, buf);
		} else if (!strcmp(verb, "libpath")) {
			Dl_info info;
			if (!dladdr((void *)seccomp_init, &info) || !info.dli_fname)
				report(-1, "-");
			else
				report(0, info.dli_fname);
		} else if (!strcmp(verb, "api_get")) {
			report(seccomp_api_get(), NULL);
		} else if (!strcmp(verb, "arch_native")) {
			char buf[32];
			snprintf(buf, sizeof(buf), "%" PRIu32, seccomp_arch_native());
			report(0, buf);
		} else if (!strcmp(verb, "init")) {
			if (ntok != 2)
				bad("init wants an action");
			if (ctx)
				seccomp_release(ctx);
			ctx = seccomp_init(action(tok[1]));
			report(ctx ? 0 : -1, NULL);
		} else if (!strcmp(verb, "resolve_name")) {
			if (ntok != 2)
				bad("resolve_name wants NAME");
			report(seccomp_syscall_resolve_name(tok[1]), NULL);
		} else if (!strcmp(verb, "resolve_name_arch")) {
			if (ntok != 3)
				bad("resolve_name_arch wants TOKEN NAME");
			report(seccomp_syscall_resolve_name_arch(arch_token(tok[1]), tok[2]), NULL);
		} else if (!strcmp(verb, "resolve_name_rewrite")) {
			if (ntok != 3)
				bad("resolve_name_rewrite wants TOKEN NAME");
			report(seccomp_syscall_resolve_name_rewrite(arch_token(tok[1]), tok[2]), NULL);
		} else if (!strcmp(verb, "resolve_num_arch")) {
			if (ntok != 3)
				bad("resolve_num_arch wants TOKEN NR");
			char *name = seccomp_syscall_resolve_num_arch(arch_token(tok[1]),
								      (int)num_s(tok[2]));
			report(0, name ? name : "(null)");
			free(name);
		} else if (!strcmp(verb, "arch_resolve")) {
			char buf[32];
			if (ntok != 2)
				bad("arch_resolve wants NAME");
			snprintf(buf, sizeof(buf), "%" PRIu32, seccomp_arch_resolve_name(tok[1]));
			report(0, buf);
		} else if (!strcmp(verb, "release")) {
			if (ctx)
				seccomp_release(ctx);
			ctx = NULL;
			report(0, NULL);
		} else {
			run(ctx, tok + 1, ntok - 1);
		}
	}
	if (ctx)
		seccomp_release(ctx);
	return 0;
}
