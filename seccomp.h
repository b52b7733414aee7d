/*
 * seccomp.h - public interface of seccomptree, a drop-in replacement for
 * libseccomp 2.6.1.
 *
 * Programs built against libseccomp's header must build unchanged against
 * this one and run against our libseccomp.so.2, so every name, value, type
 * and structure layout below matches libseccomp 2.6.1.  Behaviour is
 * described in the seccomp_*(3) manual pages.
 */

#ifndef _SECCOMP_H
#define _SECCOMP_H

/*
 * Consumers rely on these coming in transitively (size_t, uint32_t, the
 * AUDIT_ARCH_* and EM_* numbers, struct seccomp_data), so the list is part
 * of the interface, not an implementation detail.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <asm/unistd.h>
#include <linux/audit.h>
#include <linux/types.h>
#include <linux/seccomp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The libseccomp release whose interface this header provides. */
#define SCMP_VER_MAJOR		2
#define SCMP_VER_MINOR		6
#define SCMP_VER_MICRO		1

/* Filled in by seccomp_version(); the library owns the storage. */
struct scmp_version {
	unsigned int major;
	unsigned int minor;
	unsigned int micro;
};

/* Opaque; created by seccomp_init(), destroyed by seccomp_release(). */
typedef void *scmp_filter_ctx;

/*
 * Knobs for seccomp_attr_get()/seccomp_attr_set().  The numbers are ABI:
 * binaries pass them as plain integers.
 */
enum scmp_filter_attr {
	_SCMP_FLTATR_MIN = 0,
	SCMP_FLTATR_ACT_DEFAULT = 1,	/* action for unmatched syscalls */
	SCMP_FLTATR_ACT_BADARCH = 2,	/* action for foreign architectures */
	SCMP_FLTATR_CTL_NNP = 3,	/* set no_new_privs before loading */
	SCMP_FLTATR_CTL_TSYNC = 4,	/* apply the filter to all threads */
	SCMP_FLTATR_API_TSKIP = 5,	/* accept rules for syscall -1 */
	SCMP_FLTATR_CTL_LOG = 6,	/* log every action except ALLOW */
	SCMP_FLTATR_CTL_SSB = 7,	/* skip the forced SSB mitigation */
	SCMP_FLTATR_CTL_OPTIMIZE = 8,	/* 1: priority order, 2: binary tree */
	SCMP_FLTATR_API_SYSRAWRC = 9,	/* pass kernel errno values through */
	SCMP_FLTATR_CTL_WAITKILL = 10,	/* notify waits killable only */
	_SCMP_FLTATR_MAX,
};

/* How a syscall argument is tested against datum_a (and datum_b). */
enum scmp_compare {
	_SCMP_CMP_MIN = 0,
	SCMP_CMP_NE = 1,		/* arg != a */
	SCMP_CMP_LT = 2,		/* arg < a */
	SCMP_CMP_LE = 3,		/* arg <= a */
	SCMP_CMP_EQ = 4,		/* arg == a */
	SCMP_CMP_GE = 5,		/* arg >= a */
	SCMP_CMP_GT = 6,		/* arg > a */
	SCMP_CMP_MASKED_EQ = 7,		/* (arg & a) == b */
	_SCMP_CMP_MAX,
};

/* Argument values are always carried as 64 bits, whatever the ABI. */
typedef uint64_t scmp_datum_t;

/* One argument test; rules AND a list of these together. */
struct scmp_arg_cmp {
	unsigned int arg;	/* argument index, 0..5 */
	enum scmp_compare op;
	scmp_datum_t datum_a;
	scmp_datum_t datum_b;	/* only used by SCMP_CMP_MASKED_EQ */
};

/*
 * Architecture tokens.  They are the kernel's AUDIT_ARCH_* values, i.e.
 * what seccomp_data.arch holds, with two exceptions: 0 means "the host",
 * and x32 drops the 64-bit flag so it can be told apart from x86_64 (the
 * kernel reports both as AUDIT_ARCH_X86_64).
 *
 * Kernel headers older than the architecture lack some AUDIT_ARCH_* (and
 * libc some EM_*) names, so those are supplied here when missing.
 */
#define SCMP_ARCH_NATIVE	0

#define SCMP_ARCH_X86		AUDIT_ARCH_I386
#define SCMP_ARCH_X86_64	AUDIT_ARCH_X86_64
#define SCMP_ARCH_X32		(EM_X86_64|__AUDIT_ARCH_LE)

#define SCMP_ARCH_ARM		AUDIT_ARCH_ARM
#ifndef AUDIT_ARCH_AARCH64		/* Linux < 3.17 */
# ifndef EM_AARCH64
#  define EM_AARCH64		183
# endif
# define AUDIT_ARCH_AARCH64	(EM_AARCH64|__AUDIT_ARCH_64BIT|__AUDIT_ARCH_LE)
#endif
#define SCMP_ARCH_AARCH64	AUDIT_ARCH_AARCH64

#ifndef AUDIT_ARCH_LOONGARCH64		/* Linux < 5.19 */
# ifndef EM_LOONGARCH
#  define EM_LOONGARCH		258
# endif
# define AUDIT_ARCH_LOONGARCH64	(EM_LOONGARCH|__AUDIT_ARCH_64BIT|\
				 __AUDIT_ARCH_LE)
#endif
#define SCMP_ARCH_LOONGARCH64	AUDIT_ARCH_LOONGARCH64

#define SCMP_ARCH_M68K		AUDIT_ARCH_M68K

#ifndef __AUDIT_ARCH_CONVENTION_MIPS64_N32
# define __AUDIT_ARCH_CONVENTION_MIPS64_N32	0x20000000
#endif
#ifndef EM_MIPS
# define EM_MIPS		8
#endif
#ifndef AUDIT_ARCH_MIPS
# define AUDIT_ARCH_MIPS	(EM_MIPS)
#endif
#ifndef AUDIT_ARCH_MIPS64
# define AUDIT_ARCH_MIPS64	(EM_MIPS|__AUDIT_ARCH_64BIT)
#endif
#ifndef AUDIT_ARCH_MIPS64N32		/* Linux < 3.15 */
# define AUDIT_ARCH_MIPS64N32	(EM_MIPS|__AUDIT_ARCH_64BIT|\
				 __AUDIT_ARCH_CONVENTION_MIPS64_N32)
#endif
#ifndef AUDIT_ARCH_MIPSEL64N32		/* Linux < 3.15 */
# define AUDIT_ARCH_MIPSEL64N32	(EM_MIPS|__AUDIT_ARCH_64BIT|__AUDIT_ARCH_LE|\
				 __AUDIT_ARCH_CONVENTION_MIPS64_N32)
#endif
#define SCMP_ARCH_MIPS		AUDIT_ARCH_MIPS
#define SCMP_ARCH_MIPS64	AUDIT_ARCH_MIPS64
#define SCMP_ARCH_MIPS64N32	AUDIT_ARCH_MIPS64N32
#define SCMP_ARCH_MIPSEL	AUDIT_ARCH_MIPSEL
#define SCMP_ARCH_MIPSEL64	AUDIT_ARCH_MIPSEL64
#define SCMP_ARCH_MIPSEL64N32	AUDIT_ARCH_MIPSEL64N32

#define SCMP_ARCH_PPC		AUDIT_ARCH_PPC
#define SCMP_ARCH_PPC64		AUDIT_ARCH_PPC64
#ifndef AUDIT_ARCH_PPC64LE
# define AUDIT_ARCH_PPC64LE	(EM_PPC64|__AUDIT_ARCH_64BIT|__AUDIT_ARCH_LE)
#endif
#define SCMP_ARCH_PPC64LE	AUDIT_ARCH_PPC64LE

#define SCMP_ARCH_S390		AUDIT_ARCH_S390
#define SCMP_ARCH_S390X		AUDIT_ARCH_S390X

#define SCMP_ARCH_PARISC	AUDIT_ARCH_PARISC
#define SCMP_ARCH_PARISC64	AUDIT_ARCH_PARISC64

#ifndef AUDIT_ARCH_RISCV64		/* Linux < 5.0 */
# ifndef EM_RISCV
#  define EM_RISCV		243
# endif
# define AUDIT_ARCH_RISCV64	(EM_RISCV|__AUDIT_ARCH_64BIT|__AUDIT_ARCH_LE)
#endif
#define SCMP_ARCH_RISCV64	AUDIT_ARCH_RISCV64

/* Plain "sh" is the little-endian flavour; big-endian gets the suffix. */
#define SCMP_ARCH_SHEB		AUDIT_ARCH_SH
#define SCMP_ARCH_SH		AUDIT_ARCH_SHEL

/*
 * Syscall number by name, resolved at compile time for the host
 * architecture; names the host lacks yield a negative pseudo number
 * that the library translates per architecture.
 */
#define SCMP_SYS(x)		(__SNR_##x)

/*
 * Argument comparison builders, e.g.
 *
 *	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
 *			 SCMP_A0(SCMP_CMP_EQ, 2));
 *
 * The _64 forms take the datum as written.  The _32 forms first truncate
 * it to 32 bits, so a negative int compares as the kernel sees it in a
 * 32-bit argument register rather than sign-extended to 64 bits.
 */
#define SCMP_CMP64(...)		((struct scmp_arg_cmp){__VA_ARGS__})
#define SCMP_CMP		SCMP_CMP64

/*
 * SCMP_CMP32 takes one or two data; count them to pick the right helper.
 * The extra trailing 0 keeps the helper's "..." non-empty, which C99 and
 * C++ before C++20 require.
 */
#define _SCMP_VA_NUM_ARGS(...)	_SCMP_VA_NUM_ARGS_IMPL(__VA_ARGS__, 2, 1, 0)
#define _SCMP_VA_NUM_ARGS_IMPL(_1, _2, N, ...)	N
#define _SCMP_MACRO_DISPATCHER(func, ...) \
	_SCMP_MACRO_DISPATCHER_IMPL1(func, _SCMP_VA_NUM_ARGS(__VA_ARGS__))
/* Two steps so the count is expanded before it is pasted. */
#define _SCMP_MACRO_DISPATCHER_IMPL1(func, nargs) \
	_SCMP_MACRO_DISPATCHER_IMPL2(func, nargs)
#define _SCMP_MACRO_DISPATCHER_IMPL2(func, nargs) \
	func ## nargs
#define _SCMP_CMP32_1(x, y, z) \
	SCMP_CMP64(x, y, (uint32_t)(z))
#define _SCMP_CMP32_2(x, y, z, q) \
	SCMP_CMP64(x, y, (uint32_t)(z), (uint32_t)(q))
#define SCMP_CMP32(x, y, ...) \
	_SCMP_MACRO_DISPATCHER(_SCMP_CMP32_, __VA_ARGS__)(x, y, __VA_ARGS__)

#define SCMP_A0_64(...)		SCMP_CMP64(0, __VA_ARGS__)
#define SCMP_A1_64(...)		SCMP_CMP64(1, __VA_ARGS__)
#define SCMP_A2_64(...)		SCMP_CMP64(2, __VA_ARGS__)
#define SCMP_A3_64(...)		SCMP_CMP64(3, __VA_ARGS__)
#define SCMP_A4_64(...)		SCMP_CMP64(4, __VA_ARGS__)
#define SCMP_A5_64(...)		SCMP_CMP64(5, __VA_ARGS__)

#define SCMP_A0			SCMP_A0_64
#define SCMP_A1			SCMP_A1_64
#define SCMP_A2			SCMP_A2_64
#define SCMP_A3			SCMP_A3_64
#define SCMP_A4			SCMP_A4_64
#define SCMP_A5			SCMP_A5_64

#define SCMP_A0_32(x, ...)	SCMP_CMP32(0, x, __VA_ARGS__)
#define SCMP_A1_32(x, ...)	SCMP_CMP32(1, x, __VA_ARGS__)
#define SCMP_A2_32(x, ...)	SCMP_CMP32(2, x, __VA_ARGS__)
#define SCMP_A3_32(x, ...)	SCMP_CMP32(3, x, __VA_ARGS__)
#define SCMP_A4_32(x, ...)	SCMP_CMP32(4, x, __VA_ARGS__)
#define SCMP_A5_32(x, ...)	SCMP_CMP32(5, x, __VA_ARGS__)

/*
 * Actions are the kernel's SECCOMP_RET_* values, spelled out so they do
 * not depend on how new the installed kernel headers are.  ERRNO and TRACE
 * carry 16 bits of data; wider arguments are masked, not rejected.
 */
#define SCMP_ACT_KILL_PROCESS	0x80000000U
#define SCMP_ACT_KILL_THREAD	0x00000000U
#define SCMP_ACT_KILL		SCMP_ACT_KILL_THREAD	/* historical name */
#define SCMP_ACT_TRAP		0x00030000U
#define SCMP_ACT_ERRNO(x)	(0x00050000U | ((x) & 0x0000ffffU))
#define SCMP_ACT_NOTIFY		0x7fc00000U
#define SCMP_ACT_TRACE(x)	(0x7ff00000U | ((x) & 0x0000ffffU))
#define SCMP_ACT_LOG		0x7ffc0000U
#define SCMP_ACT_ALLOW		0x7fff0000U

/*
 * User notification arrived in Linux 5.0.  With older kernel headers the
 * notify functions below still need their argument types, laid out as
 * the kernel defines them.
 */
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF	0x7fc00000U

struct seccomp_notif {
	__u64 id;
	__u32 pid;
	__u32 flags;
	struct seccomp_data data;
};

struct seccomp_notif_resp {
	__u64 id;
	__s64 val;
	__s32 error;
	__u32 flags;
};
#endif

/*
 * Library and kernel feature level.  Functions returning int report
 * failure as a negative errno value unless their manual page says
 * otherwise.
 */
const struct scmp_version *seccomp_version(void);
unsigned int seccomp_api_get(void);
int seccomp_api_set(unsigned int level);

/* Filter lifetime. */
scmp_filter_ctx seccomp_init(uint32_t def_action);
int seccomp_reset(scmp_filter_ctx ctx, uint32_t def_action);
void seccomp_release(scmp_filter_ctx ctx);
int seccomp_merge(scmp_filter_ctx ctx_dst, scmp_filter_ctx ctx_src);
int seccomp_load(const scmp_filter_ctx ctx);
int seccomp_precompute(const scmp_filter_ctx ctx);

/* Architectures; a token of SCMP_ARCH_NATIVE means the host's. */
uint32_t seccomp_arch_resolve_name(const char *arch_name);
uint32_t seccomp_arch_native(void);
int seccomp_arch_exist(const scmp_filter_ctx ctx, uint32_t arch_token);
int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token);
int seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch_token);

/* Filter attributes. */
int seccomp_attr_get(const scmp_filter_ctx ctx,
		     enum scmp_filter_attr attr, uint32_t *value);
int seccomp_attr_set(scmp_filter_ctx ctx,
		     enum scmp_filter_attr attr, uint32_t value);

/*
 * Syscall names and numbers.  The name lookups return __NR_SCMP_ERROR for
 * unknown names; the string from resolve_num_arch is the caller's to free.
 */
char *seccomp_syscall_resolve_num_arch(uint32_t arch_token, int num);
int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name);
int seccomp_syscall_resolve_name_rewrite(uint32_t arch_token,
					 const char *name);
int seccomp_syscall_resolve_name(const char *name);
int seccomp_syscall_priority(scmp_filter_ctx ctx,
			     int syscall, uint8_t priority);

/*
 * Rules.  The variadic forms take arg_cnt struct scmp_arg_cmp values (see
 * SCMP_A0() and friends).  The _exact forms fail instead of rewriting a
 * rule the target architecture cannot express literally.
 */
int seccomp_rule_add(scmp_filter_ctx ctx,
		     uint32_t action, int syscall, unsigned int arg_cnt, ...);
int seccomp_rule_add_array(scmp_filter_ctx ctx,
			   uint32_t action, int syscall, unsigned int arg_cnt,
			   const struct scmp_arg_cmp *arg_array);
int seccomp_rule_add_exact(scmp_filter_ctx ctx, uint32_t action,
			   int syscall, unsigned int arg_cnt, ...);
int seccomp_rule_add_exact_array(scmp_filter_ctx ctx,
				 uint32_t action, int syscall,
				 unsigned int arg_cnt,
				 const struct scmp_arg_cmp *arg_array);

/*
 * User notification (SCMP_ACT_NOTIFY).  Buffers come from
 * seccomp_notify_alloc() because the kernel may use larger structures
 * than these headers describe.
 */
int seccomp_notify_alloc(struct seccomp_notif **req,
			 struct seccomp_notif_resp **resp);
void seccomp_notify_free(struct seccomp_notif *req,
			 struct seccomp_notif_resp *resp);
int seccomp_notify_receive(int fd, struct seccomp_notif *req);
int seccomp_notify_respond(int fd, struct seccomp_notif_resp *resp);
int seccomp_notify_id_valid(int fd, uint64_t id);
int seccomp_notify_fd(const scmp_filter_ctx ctx);

/*
 * Export the generated program: as human-readable pseudo code, as raw
 * struct sock_filter instructions to a file descriptor, or into a buffer
 * of *len bytes (on return, *len is the program's size).
 */
int seccomp_export_pfc(const scmp_filter_ctx ctx, int fd);
int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd);
int seccomp_export_bpf_mem(const scmp_filter_ctx ctx, void *buf, size_t *len);

/* Group rule changes so that they apply all together or not at all. */
int seccomp_transaction_start(const scmp_filter_ctx ctx);
void seccomp_transaction_reject(const scmp_filter_ctx ctx);
int seccomp_transaction_commit(const scmp_filter_ctx ctx);

/*
 * Pseudo syscall numbers -1 to -99 are reserved for the library itself;
 * the __PNR_* numbers in seccomp-syscalls.h lie below that range.
 */
#define __NR_SCMP_ERROR		-1
#define __NR_SCMP_UNDEF		-2

#include <seccomp-syscalls.h>

#ifdef __cplusplus
}
#endif

#endif /* _SECCOMP_H */
