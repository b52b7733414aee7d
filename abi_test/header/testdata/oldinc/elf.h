/*
 * Stand-in for an old C library's <elf.h>: only the machine numbers that
 * predate every architecture seccomp.h names without a fallback.  The
 * header must supply EM_AARCH64, EM_LOONGARCH, EM_MIPS and EM_RISCV.
 */
#ifndef OLDINC_ELF_H
#define OLDINC_ELF_H

#define EM_68K		4
#define EM_PARISC	15
#define EM_PPC		20
#define EM_PPC64	21
#define EM_S390		22
#define EM_ARM		40
#define EM_SH		42
#define EM_386		3
#define EM_X86_64	62

#endif
