/*
 * Stand-in for pre-5.0 kernel headers, which know nothing of user
 * notification: seccomp.h must then declare struct seccomp_notif and
 * struct seccomp_notif_resp itself, with the kernel's layout.
 */
#ifndef OLDINC_LINUX_SECCOMP_H
#define OLDINC_LINUX_SECCOMP_H

#include <linux/types.h>

#define SECCOMP_MODE_DISABLED	0
#define SECCOMP_MODE_STRICT	1
#define SECCOMP_MODE_FILTER	2

#define SECCOMP_RET_KILL	0x00000000U
#define SECCOMP_RET_TRAP	0x00030000U
#define SECCOMP_RET_ERRNO	0x00050000U
#define SECCOMP_RET_TRACE	0x7ff00000U
#define SECCOMP_RET_ALLOW	0x7fff0000U
#define SECCOMP_RET_ACTION	0x7fff0000U
#define SECCOMP_RET_DATA	0x0000ffffU

struct seccomp_data {
	int nr;
	__u32 arch;
	__u64 instruction_pointer;
	__u64 args[6];
};

#endif
