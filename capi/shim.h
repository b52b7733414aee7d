/* Internal interface between the C entry points (shim.c) and Go. */
#ifndef SECCOMPTREE_SHIM_H
#define SECCOMPTREE_SHIM_H

#include <stdint.h>
#include <linux/filter.h>

/* What seccomp_load needs to install a filter without calling Go. */
struct st_load {
	struct sock_filter *prog; /* malloc'd; the loader frees it */
	unsigned short len;
	unsigned int flags;       /* SECCOMP_FILTER_FLAG_* */
	int nnp;                  /* set NO_NEW_PRIVS first */
	int rawrc;                /* report the kernel's errno as is */
	int tsync;
	int listener;             /* the filter can return NOTIFY */
	int waitkill;             /* killable wait for the supervisor */
};

#endif
