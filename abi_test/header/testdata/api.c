/*
 * Touches every public name of <seccomp.h> and prints one "name value"
 * line per fact: macro and enumerator values with their size and
 * signedness, the fields built by the comparison macros, and the size and
 * offset of every structure member.  header_test.go builds it against
 * several headers and compares the output.
 *
 * Switches:
 *   API_2_6         the header claims libseccomp 2.6; use what 2.5 lacks.
 *   API_PROTOTYPES  also take the address of every function through a
 *                   pointer of the exact documented type (compile only;
 *                   nothing here is linked).
 *
 * It must build as C99, C11 and C++ with -Wall -Werror.  C++ rejects
 * narrowing inside the braces SCMP_CMP64() expands to, hence no negative
 * 64-bit data below.
 */

#include <stddef.h>
#include <stdio.h>

#include <seccomp.h>

/* (x) * 0 has x's promoted type, so this is the signedness users get. */
#define IS_SIGNED(x)	((x) * 0 - 1 < 0)

#define NUM(x)		num(#x, (long long)(x), (unsigned long long)(x), \
			    sizeof(x), IS_SIGNED(x))
#define FIELD(type, m)	field(#type, #m, offsetof(type, m), \
			      sizeof(((type *)0)->m))
#define SIZE(type)	printf("sizeof(%s) %zu\n", #type, sizeof(type))
#define CMP(expr)	cmp(#expr, expr)
#define HAS_TYPE(type, lvalue) \
	do { type *p_ = &(lvalue); (void)p_; } while (0)

static void num(const char *name, long long s, unsigned long long u,
		size_t size, int is_signed)
{
	if (is_signed)
		printf("%s %lld\n", name, s);
	else
		printf("%s %llu\n", name, u);
	printf("sizeof(%s) %zu\n", name, size);
	printf("signed(%s) %d\n", name, is_signed);
}

static void field(const char *type, const char *m, size_t off, size_t size)
{
	printf("offsetof(%s.%s) %zu\n", type, m, off);
	printf("sizeof(%s.%s) %zu\n", type, m, size);
}

static void cmp(const char *name, struct scmp_arg_cmp c)
{
	printf("%s.arg %u\n", name, c.arg);
	printf("%s.op %d\n", name, (int)c.op);
	printf("%s.datum_a %llu\n", name, (unsigned long long)c.datum_a);
	printf("%s.datum_b %llu\n", name, (unsigned long long)c.datum_b);
}

/*
 * Member types are checked by pointer assignment: a mismatch is a
 * diagnostic in C (turned fatal by -Werror) and an error in C++.
 */
static void types(void)
{
	struct scmp_version ver;
	struct scmp_arg_cmp arg;
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	scmp_filter_ctx ctx;
	scmp_datum_t datum;
	enum scmp_filter_attr attr;
	enum scmp_compare op;

	HAS_TYPE(void *, ctx);
	HAS_TYPE(uint64_t, datum);
	HAS_TYPE(enum scmp_filter_attr, attr);
	HAS_TYPE(enum scmp_compare, op);

	HAS_TYPE(unsigned int, ver.major);
	HAS_TYPE(unsigned int, ver.minor);
	HAS_TYPE(unsigned int, ver.micro);

	HAS_TYPE(unsigned int, arg.arg);
	HAS_TYPE(enum scmp_compare, arg.op);
	HAS_TYPE(scmp_datum_t, arg.datum_a);
	HAS_TYPE(scmp_datum_t, arg.datum_b);

	HAS_TYPE(__u64, req.id);
	HAS_TYPE(__u32, req.pid);
	HAS_TYPE(__u32, req.flags);
	HAS_TYPE(struct seccomp_data, req.data);

	HAS_TYPE(__u64, resp.id);
	HAS_TYPE(__s64, resp.val);
	HAS_TYPE(__s32, resp.error);
	HAS_TYPE(__u32, resp.flags);
}

#ifdef API_PROTOTYPES
#define PROTO(ret, name, args)	ret (*p_##name) args = name;

PROTO(const struct scmp_version *, seccomp_version, (void))
PROTO(unsigned int, seccomp_api_get, (void))
PROTO(int, seccomp_api_set, (unsigned int))
PROTO(scmp_filter_ctx, seccomp_init, (uint32_t))
PROTO(int, seccomp_reset, (scmp_filter_ctx, uint32_t))
PROTO(void, seccomp_release, (scmp_filter_ctx))
PROTO(int, seccomp_merge, (scmp_filter_ctx, scmp_filter_ctx))
PROTO(uint32_t, seccomp_arch_resolve_name, (const char *))
PROTO(uint32_t, seccomp_arch_native, (void))
PROTO(int, seccomp_arch_exist, (const scmp_filter_ctx, uint32_t))
PROTO(int, seccomp_arch_add, (scmp_filter_ctx, uint32_t))
PROTO(int, seccomp_arch_remove, (scmp_filter_ctx, uint32_t))
PROTO(int, seccomp_load, (const scmp_filter_ctx))
PROTO(int, seccomp_attr_get,
      (const scmp_filter_ctx, enum scmp_filter_attr, uint32_t *))
PROTO(int, seccomp_attr_set,
      (scmp_filter_ctx, enum scmp_filter_attr, uint32_t))
PROTO(char *, seccomp_syscall_resolve_num_arch, (uint32_t, int))
PROTO(int, seccomp_syscall_resolve_name_arch, (uint32_t, const char *))
PROTO(int, seccomp_syscall_resolve_name_rewrite, (uint32_t, const char *))
PROTO(int, seccomp_syscall_resolve_name, (const char *))
PROTO(int, seccomp_syscall_priority, (scmp_filter_ctx, int, uint8_t))
PROTO(int, seccomp_rule_add,
      (scmp_filter_ctx, uint32_t, int, unsigned int, ...))
PROTO(int, seccomp_rule_add_array,
      (scmp_filter_ctx, uint32_t, int, unsigned int,
       const struct scmp_arg_cmp *))
PROTO(int, seccomp_rule_add_exact,
      (scmp_filter_ctx, uint32_t, int, unsigned int, ...))
PROTO(int, seccomp_rule_add_exact_array,
      (scmp_filter_ctx, uint32_t, int, unsigned int,
       const struct scmp_arg_cmp *))
PROTO(int, seccomp_notify_alloc,
      (struct seccomp_notif **, struct seccomp_notif_resp **))
PROTO(void, seccomp_notify_free,
      (struct seccomp_notif *, struct seccomp_notif_resp *))
PROTO(int, seccomp_notify_receive, (int, struct seccomp_notif *))
PROTO(int, seccomp_notify_respond, (int, struct seccomp_notif_resp *))
PROTO(int, seccomp_notify_id_valid, (int, uint64_t))
PROTO(int, seccomp_notify_fd, (const scmp_filter_ctx))
PROTO(int, seccomp_export_pfc, (const scmp_filter_ctx, int))
PROTO(int, seccomp_export_bpf, (const scmp_filter_ctx, int))
#ifdef API_2_6
PROTO(int, seccomp_export_bpf_mem, (const scmp_filter_ctx, void *, size_t *))
PROTO(int, seccomp_transaction_start, (const scmp_filter_ctx))
PROTO(void, seccomp_transaction_reject, (const scmp_filter_ctx))
PROTO(int, seccomp_transaction_commit, (const scmp_filter_ctx))
PROTO(int, seccomp_precompute, (const scmp_filter_ctx))
#endif
#endif /* API_PROTOTYPES */

static void values(void)
{
	NUM(SCMP_VER_MAJOR);
	NUM(SCMP_VER_MINOR);
	NUM(SCMP_VER_MICRO);

	NUM(_SCMP_FLTATR_MIN);
	NUM(SCMP_FLTATR_ACT_DEFAULT);
	NUM(SCMP_FLTATR_ACT_BADARCH);
	NUM(SCMP_FLTATR_CTL_NNP);
	NUM(SCMP_FLTATR_CTL_TSYNC);
	NUM(SCMP_FLTATR_API_TSKIP);
	NUM(SCMP_FLTATR_CTL_LOG);
	NUM(SCMP_FLTATR_CTL_SSB);
	NUM(SCMP_FLTATR_CTL_OPTIMIZE);
	NUM(SCMP_FLTATR_API_SYSRAWRC);
#ifdef API_2_6
	NUM(SCMP_FLTATR_CTL_WAITKILL);
#endif
	NUM(_SCMP_FLTATR_MAX);

	NUM(_SCMP_CMP_MIN);
	NUM(SCMP_CMP_NE);
	NUM(SCMP_CMP_LT);
	NUM(SCMP_CMP_LE);
	NUM(SCMP_CMP_EQ);
	NUM(SCMP_CMP_GE);
	NUM(SCMP_CMP_GT);
	NUM(SCMP_CMP_MASKED_EQ);
	NUM(_SCMP_CMP_MAX);

	NUM(SCMP_ARCH_NATIVE);
	NUM(SCMP_ARCH_X86);
	NUM(SCMP_ARCH_X86_64);
	NUM(SCMP_ARCH_X32);
	NUM(SCMP_ARCH_ARM);
	NUM(SCMP_ARCH_AARCH64);
#ifdef API_2_6
	NUM(SCMP_ARCH_LOONGARCH64);
	NUM(SCMP_ARCH_M68K);
#endif
	NUM(SCMP_ARCH_MIPS);
	NUM(SCMP_ARCH_MIPS64);
	NUM(SCMP_ARCH_MIPS64N32);
	NUM(SCMP_ARCH_MIPSEL);
	NUM(SCMP_ARCH_MIPSEL64);
	NUM(SCMP_ARCH_MIPSEL64N32);
	NUM(SCMP_ARCH_PPC);
	NUM(SCMP_ARCH_PPC64);
	NUM(SCMP_ARCH_PPC64LE);
	NUM(SCMP_ARCH_S390);
	NUM(SCMP_ARCH_S390X);
	NUM(SCMP_ARCH_PARISC);
	NUM(SCMP_ARCH_PARISC64);
	NUM(SCMP_ARCH_RISCV64);
#ifdef API_2_6
	NUM(SCMP_ARCH_SHEB);
	NUM(SCMP_ARCH_SH);
#endif

	/* Names the header supplies itself when the system headers are old. */
	NUM(EM_AARCH64);
	NUM(EM_MIPS);
	NUM(EM_RISCV);
	NUM(AUDIT_ARCH_AARCH64);
	NUM(AUDIT_ARCH_MIPS);
	NUM(AUDIT_ARCH_MIPS64);
	NUM(AUDIT_ARCH_MIPS64N32);
	NUM(AUDIT_ARCH_MIPSEL64N32);
	NUM(AUDIT_ARCH_PPC64LE);
	NUM(AUDIT_ARCH_RISCV64);
	NUM(__AUDIT_ARCH_CONVENTION_MIPS64_N32);
#ifdef API_2_6
	NUM(EM_LOONGARCH);
	NUM(AUDIT_ARCH_LOONGARCH64);
#endif
	NUM(SECCOMP_RET_USER_NOTIF);

	NUM(SCMP_ACT_KILL_PROCESS);
	NUM(SCMP_ACT_KILL_THREAD);
	NUM(SCMP_ACT_KILL);
	NUM(SCMP_ACT_TRAP);
	NUM(SCMP_ACT_NOTIFY);
	NUM(SCMP_ACT_LOG);
	NUM(SCMP_ACT_ALLOW);
	NUM(SCMP_ACT_ERRNO(0));
	NUM(SCMP_ACT_ERRNO(1));
	NUM(SCMP_ACT_ERRNO(0xffff));
	NUM(SCMP_ACT_ERRNO(0x12345));
	NUM(SCMP_ACT_ERRNO(-1));
	NUM(SCMP_ACT_TRACE(0));
	NUM(SCMP_ACT_TRACE(7));
	NUM(SCMP_ACT_TRACE(0x1ffff));

	NUM(__NR_SCMP_ERROR);
	NUM(__NR_SCMP_UNDEF);
	NUM(SCMP_SYS(read));
	NUM(SCMP_SYS(socket));
	NUM(SCMP_SYS(socketcall));

	CMP(SCMP_CMP(1,SCMP_CMP_EQ,2));
	CMP(SCMP_CMP(5,SCMP_CMP_MASKED_EQ,0xf0,0x10));
	CMP(SCMP_CMP64(2,SCMP_CMP_GT,0xffffffff00000000ULL));
	CMP(SCMP_CMP64(3,SCMP_CMP_MASKED_EQ,0xff,0x7));
	CMP(SCMP_CMP32(4,SCMP_CMP_EQ,-1));
	CMP(SCMP_CMP32(0,SCMP_CMP_MASKED_EQ,-1,-2));
	CMP(SCMP_A0(SCMP_CMP_NE,10));
	CMP(SCMP_A1(SCMP_CMP_LT,11));
	CMP(SCMP_A2(SCMP_CMP_LE,12));
	CMP(SCMP_A3(SCMP_CMP_GE,13));
	CMP(SCMP_A4(SCMP_CMP_GT,14));
	CMP(SCMP_A5(SCMP_CMP_MASKED_EQ,15,5));
	CMP(SCMP_A0_64(SCMP_CMP_EQ,0x100000000ULL));
	CMP(SCMP_A1_64(SCMP_CMP_NE,21));
	CMP(SCMP_A2_64(SCMP_CMP_LT,22));
	CMP(SCMP_A3_64(SCMP_CMP_LE,23));
	CMP(SCMP_A4_64(SCMP_CMP_GE,24));
	CMP(SCMP_A5_64(SCMP_CMP_MASKED_EQ,0xffff0000ULL,0x10000));
	CMP(SCMP_A0_32(SCMP_CMP_EQ,-1));
	CMP(SCMP_A1_32(SCMP_CMP_NE,-31));
	CMP(SCMP_A2_32(SCMP_CMP_LT,32));
	CMP(SCMP_A3_32(SCMP_CMP_LE,0x100000021ULL));
	CMP(SCMP_A4_32(SCMP_CMP_GE,-34));
	CMP(SCMP_A5_32(SCMP_CMP_MASKED_EQ,-1,-35));

	SIZE(scmp_filter_ctx);
	SIZE(scmp_datum_t);
	SIZE(enum scmp_filter_attr);
	SIZE(enum scmp_compare);

	SIZE(struct scmp_version);
	FIELD(struct scmp_version, major);
	FIELD(struct scmp_version, minor);
	FIELD(struct scmp_version, micro);

	SIZE(struct scmp_arg_cmp);
	FIELD(struct scmp_arg_cmp, arg);
	FIELD(struct scmp_arg_cmp, op);
	FIELD(struct scmp_arg_cmp, datum_a);
	FIELD(struct scmp_arg_cmp, datum_b);

	SIZE(struct seccomp_data);
	FIELD(struct seccomp_data, nr);
	FIELD(struct seccomp_data, arch);
	FIELD(struct seccomp_data, instruction_pointer);
	FIELD(struct seccomp_data, args);

	SIZE(struct seccomp_notif);
	FIELD(struct seccomp_notif, id);
	FIELD(struct seccomp_notif, pid);
	FIELD(struct seccomp_notif, flags);
	FIELD(struct seccomp_notif, data);

	SIZE(struct seccomp_notif_resp);
	FIELD(struct seccomp_notif_resp, id);
	FIELD(struct seccomp_notif_resp, val);
	FIELD(struct seccomp_notif_resp, error);
	FIELD(struct seccomp_notif_resp, flags);
}

int main(void)
{
	types();
	values();
	return 0;
}
