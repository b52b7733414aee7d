/*
 * The public entry points of libseccomp.so.2.
 *
 * Each is defined here, against seccomp.h, so that the compiler checks our
 * prototypes against the public header, and calls its Go counterpart
 * (stgo_*). Variadic functions and everything that must not run Go code
 * (installing a filter, the notification ioctls) live here entirely.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>

#include <seccomp.h>

#include "shim.h"
#include "_cgo_export.h"

#define API __attribute__((visibility("default")))

#define HANDLE(ctx) ((uintptr_t)(ctx))

/* A rule compares at most this many arguments. */
#define ARGS_MAX 6

/* The listener fd of the last filter loaded with user notification. */
static int notify_fd = -1;

API const struct scmp_version *seccomp_version(void)
{
	static const struct scmp_version v = {
		.major = SCMP_VER_MAJOR,
		.minor = SCMP_VER_MINOR,
		.micro = SCMP_VER_MICRO,
	};
	return &v;
}

API unsigned int seccomp_api_get(void)
{
	return stgo_api_get();
}

API int seccomp_api_set(unsigned int level)
{
	return stgo_api_set(level);
}

API scmp_filter_ctx seccomp_init(uint32_t def_action)
{
	return (scmp_filter_ctx)stgo_init(def_action);
}

API int seccomp_reset(scmp_filter_ctx ctx, uint32_t def_action)
{
	if (ctx == NULL)
		return stgo_reset_global();
	return stgo_reset(HANDLE(ctx), def_action);
}

API void seccomp_release(scmp_filter_ctx ctx)
{
	stgo_release(HANDLE(ctx));
}

API int seccomp_merge(scmp_filter_ctx ctx_dst, scmp_filter_ctx ctx_src)
{
	return stgo_merge(HANDLE(ctx_dst), HANDLE(ctx_src));
}

API uint32_t seccomp_arch_resolve_name(const char *arch_name)
{
	return stgo_arch_resolve_name((char *)arch_name);
}

API uint32_t seccomp_arch_native(void)
{
	return stgo_arch_native();
}

API int seccomp_arch_exist(const scmp_filter_ctx ctx, uint32_t arch_token)
{
	return stgo_arch_exist(HANDLE(ctx), arch_token);
}

API int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token)
{
	return stgo_arch_add(HANDLE(ctx), arch_token);
}

API int seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch_token)
{
	return stgo_arch_remove(HANDLE(ctx), arch_token);
}

/*
 * Installing happens here rather than in Go: once the filter is on this
 * thread, a Go call that needs a syscall the filter denies would kill or
 * break the caller, so no Go code runs after the seccomp(2) call.
 */
static int install(const struct st_load *ld)
{
	struct sock_fprog fprog = { .len = ld->len, .filter = ld->prog };
	unsigned int flags = ld->flags;
	int listener = ld->listener && notify_fd == -1;
	long rc;

	if (listener) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (ld->waitkill)
			flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}

	if (ld->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ld->rawrc ? -errno : -ECANCELED;
#ifdef __NR_seccomp
	rc = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
	if (rc < 0 && errno == ENOSYS && flags == 0)
		rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
#else
	if (flags != 0) {
		errno = EOPNOTSUPP;
		rc = -1;
	} else
		rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
#endif
	if (rc > 0 && listener) {
		notify_fd = rc;
		return 0;
	}
	if (rc > 0 && ld->tsync)
		return -ESRCH; /* the id of a thread that could not sync */
	if (rc < 0)
		return ld->rawrc ? -errno : -ECANCELED;
	return 0;
}

API int seccomp_load(const scmp_filter_ctx ctx)
{
	struct st_load ld;
	int rc;

	rc = stgo_load_prepare(HANDLE(ctx), &ld);
	if (rc < 0)
		return rc;
	rc = install(&ld);
	free(ld.prog);
	return rc;
}

API int seccomp_attr_get(const scmp_filter_ctx ctx,
			 enum scmp_filter_attr attr, uint32_t *value)
{
	return stgo_attr_get(HANDLE(ctx), attr, value);
}

API int seccomp_attr_set(scmp_filter_ctx ctx,
			 enum scmp_filter_attr attr, uint32_t value)
{
	return stgo_attr_set(HANDLE(ctx), attr, value);
}

API char *seccomp_syscall_resolve_num_arch(uint32_t arch_token, int num)
{
	return stgo_syscall_resolve_num_arch(arch_token, num);
}

API int seccomp_syscall_resolve_name_arch(uint32_t arch_token,
					  const char *name)
{
	return stgo_syscall_resolve_name_arch(arch_token, (char *)name, 0);
}

API int seccomp_syscall_resolve_name_rewrite(uint32_t arch_token,
					     const char *name)
{
	return stgo_syscall_resolve_name_arch(arch_token, (char *)name, 1);
}

API int seccomp_syscall_resolve_name(const char *name)
{
	return stgo_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, (char *)name, 0);
}

API int seccomp_syscall_priority(scmp_filter_ctx ctx, int syscall,
				 uint8_t priority)
{
	return stgo_syscall_priority(HANDLE(ctx), syscall, priority);
}

API int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action,
			       int syscall, unsigned int arg_cnt,
			       const struct scmp_arg_cmp *arg_array)
{
	return stgo_rule_add(HANDLE(ctx), action, syscall, arg_cnt,
			     (struct scmp_arg_cmp *)arg_array, 0);
}

API int seccomp_rule_add_exact_array(scmp_filter_ctx ctx, uint32_t action,
				     int syscall, unsigned int arg_cnt,
				     const struct scmp_arg_cmp *arg_array)
{
	return stgo_rule_add(HANDLE(ctx), action, syscall, arg_cnt,
			     (struct scmp_arg_cmp *)arg_array, 1);
}

/* Gathers a variadic argument list into an array; -EINVAL past six. */
#define COLLECT_ARGS(arr, last, cnt)                                   \
	do {                                                           \
		va_list ap;                                            \
		unsigned int i_;                                       \
		if ((cnt) > ARGS_MAX)                              \
			return -EINVAL;                                \
		va_start(ap, last);                                    \
		for (i_ = 0; i_ < (cnt); i_++)                         \
			(arr)[i_] = va_arg(ap, struct scmp_arg_cmp);   \
		va_end(ap);                                            \
	} while (0)

API int seccomp_rule_add(scmp_filter_ctx ctx, uint32_t action, int syscall,
			 unsigned int arg_cnt, ...)
{
	struct scmp_arg_cmp args[ARGS_MAX];

	COLLECT_ARGS(args, arg_cnt, arg_cnt);
	return seccomp_rule_add_array(ctx, action, syscall, arg_cnt, args);
}

API int seccomp_rule_add_exact(scmp_filter_ctx ctx, uint32_t action,
			       int syscall, unsigned int arg_cnt, ...)
{
	struct scmp_arg_cmp args[ARGS_MAX];

	COLLECT_ARGS(args, arg_cnt, arg_cnt);
	return seccomp_rule_add_exact_array(ctx, action, syscall, arg_cnt,
					    args);
}

/* The kernel's sizes of the notification structures, which may exceed
 * the header's: buffers must be as large as the kernel's. */
static int notif_sizes(struct seccomp_notif_sizes *sz)
{
#ifdef __NR_seccomp
	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, sz) == 0)
		return 0;
#endif
	return -EOPNOTSUPP;
}

API int seccomp_notify_alloc(struct seccomp_notif **req,
			     struct seccomp_notif_resp **resp)
{
	struct seccomp_notif_sizes sz;
	int rc = notif_sizes(&sz);

	if (rc < 0)
		return rc;
	if (req) {
		*req = calloc(1, sz.seccomp_notif > sizeof(**req) ?
				 sz.seccomp_notif : sizeof(**req));
		if (*req == NULL)
			return -ENOMEM;
	}
	if (resp) {
		*resp = calloc(1, sz.seccomp_notif_resp > sizeof(**resp) ?
				  sz.seccomp_notif_resp : sizeof(**resp));
		if (*resp == NULL) {
			if (req) {
				free(*req);
				*req = NULL;
			}
			return -ENOMEM;
		}
	}
	return 0;
}

API void seccomp_notify_free(struct seccomp_notif *req,
			     struct seccomp_notif_resp *resp)
{
	free(req);
	free(resp);
}

API int seccomp_notify_receive(int fd, struct seccomp_notif *req)
{
	struct seccomp_notif_sizes sz;
	int rc = notif_sizes(&sz);

	if (rc < 0)
		return rc;
	/* The kernel refuses a request buffer that is not zeroed. */
	memset(req, 0, sz.seccomp_notif);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return -ECANCELED;
	return 0;
}

API int seccomp_notify_respond(int fd, struct seccomp_notif_resp *resp)
{
	struct seccomp_notif_sizes sz;
	int rc = notif_sizes(&sz);

	if (rc < 0)
		return rc;
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
		return -ECANCELED;
	return 0;
}

API int seccomp_notify_id_valid(int fd, uint64_t id)
{
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return -ENOENT;
	return 0;
}

API int seccomp_notify_fd(const scmp_filter_ctx ctx)
{
	int rc = stgo_check_ctx(HANDLE(ctx));

	if (rc < 0)
		return rc;
	return notify_fd;
}

API int seccomp_export_pfc(const scmp_filter_ctx ctx, int fd)
{
	return stgo_export_pfc(HANDLE(ctx), fd);
}

API int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd)
{
	return stgo_export_bpf(HANDLE(ctx), fd);
}

API int seccomp_export_bpf_mem(const scmp_filter_ctx ctx, void *buf,
			       size_t *len)
{
	return stgo_export_bpf_mem(HANDLE(ctx), buf, len);
}

API int seccomp_transaction_start(const scmp_filter_ctx ctx)
{
	return stgo_transaction_start(HANDLE(ctx));
}

API void seccomp_transaction_reject(const scmp_filter_ctx ctx)
{
	stgo_transaction_reject(HANDLE(ctx));
}

API int seccomp_transaction_commit(const scmp_filter_ctx ctx)
{
	return stgo_transaction_commit(HANDLE(ctx));
}

API int seccomp_precompute(const scmp_filter_ctx ctx)
{
	return stgo_precompute(HANDLE(ctx));
}
