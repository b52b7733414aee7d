/*
 * Built with -Wall -Wextra -pedantic -Werror as C and C++: the header
 * itself, and the macros that expand in users' code, must not trip any
 * warning a careful project enables.
 */

#include <seccomp.h>

int strict_rules(scmp_filter_ctx ctx);

int strict_rules(scmp_filter_ctx ctx)
{
	int rc;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(1), SCMP_SYS(read), 0);
	if (rc < 0)
		return rc;
#ifndef __cplusplus
	/*
	 * C++ has no compound literals, so the builders are C only.  Every
	 * datum slot is filled because -Wextra flags omitted initialisers.
	 */
	rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(2), SCMP_SYS(socket), 4,
			      SCMP_A0(SCMP_CMP_EQ, 1, 0),
			      SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xff, 0x1),
			      SCMP_A2_32(SCMP_CMP_MASKED_EQ, -1, -2),
			      SCMP_CMP32(3, SCMP_CMP_NE, 4, 0));
	if (rc < 0)
		return rc;

	/*
	 * The short forms leave datum_b to the compiler by design; only the
	 * -Wextra complaint about that is acceptable.  Counting a single datum
	 * must not need an empty "..." (-pedantic).
	 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
	rc = seccomp_rule_add(ctx, SCMP_ACT_LOG, SCMP_SYS(write), 3,
			      SCMP_A0(SCMP_CMP_EQ, 1),
			      SCMP_A1_32(SCMP_CMP_NE, -1),
			      SCMP_CMP32(2, SCMP_CMP_GT, 7));
#pragma GCC diagnostic pop
#endif
	return rc;
}
