/*
 * User notification, live: a child under a filter that sends getppid()
 * to a supervisor, and the parent as that supervisor.
 *
 * The child loads the filter, passes the listener fd it got from
 * seccomp_notify_fd() to the parent over a socket, and calls getppid()
 * twice. The parent answers the first call with EPERM and lets the
 * second one through (SECCOMP_USER_NOTIF_FLAG_CONTINUE), checking
 * seccomp_notify_id_valid() before each answer and after the child is
 * gone.
 */
#include "common.h"

#include <sys/socket.h>
#include <linux/seccomp.h>

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

static void send_fd(int sock, int fd)
{
	char dummy = 'f';
	struct iovec iov = { &dummy, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		_exit(30);
}

static int recv_fd(int sock)
{
	char dummy;
	struct iovec iov = { &dummy, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		fail("recvmsg: %s", strerror(errno));
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		fail("no fd from the child");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void __attribute__((noreturn)) child(int sock)
{
	scmp_filter_ctx ctx;
	pid_t parent = getppid();
	long r;
	int fd;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		_exit(20);
	if (seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 0) != 0)
		_exit(21);
	if (seccomp_load(ctx) != 0)
		_exit(22);
	fd = seccomp_notify_fd(ctx);
	if (fd < 0)
		_exit(23);
	send_fd(sock, fd);
	close(fd);

	r = syscall(SYS_getppid);
	if (r != -1 || errno != EPERM) {
		dprintf(2, "first getppid: %ld (%s), want EPERM\n", r,
			strerror(errno));
		_exit(24);
	}
	r = syscall(SYS_getppid);
	if (r != parent) {
		dprintf(2, "second getppid: %ld, want the parent\n", r);
		_exit(25);
	}
	seccomp_release(ctx);
	_exit(0);
}

int main(void)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int sv[2], fd, i, rc, status;
	uint64_t last_id = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		fail("socketpair: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(sv[0]);
		child(sv[1]);
	}
	close(sv[1]);
	/* A lost notification must not hang us. The exchange and the wait
	 * for the child each get CHILD_TIMEOUT; one alarm covers both. */
	alarm(2 * CHILD_TIMEOUT);
	fd = recv_fd(sv[0]);

	rc = seccomp_notify_alloc(&req, &resp);
	if (rc != 0)
		fail("seccomp_notify_alloc: %d", rc);
	for (i = 0; i < 2; i++) {
		rc = seccomp_notify_receive(fd, req);
		if (rc != 0)
			fail("seccomp_notify_receive: %d", rc);
		if (req->pid != (uint32_t)pid ||
		    req->data.nr != SYS_getppid ||
		    req->data.arch != seccomp_arch_native())
			fail("notification: pid %u nr %d arch 0x%x, want %d "
			     "%ld 0x%x", req->pid, req->data.nr,
			     req->data.arch, pid, (long)SYS_getppid,
			     seccomp_arch_native());
		rc = seccomp_notify_id_valid(fd, req->id);
		if (rc != 0)
			fail("seccomp_notify_id_valid(live id): %d", rc);
		memset(resp, 0, sizeof(*resp));
		resp->id = req->id;
		if (i == 0)
			resp->error = -EPERM;
		else
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		rc = seccomp_notify_respond(fd, resp);
		if (rc != 0)
			fail("seccomp_notify_respond #%d: %d", i, rc);
		last_id = req->id;
	}
	if (!wait_child(pid, CHILD_TIMEOUT, &status))
		fail("child hung");
	alarm(0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("child %s", describe_status(status));
	rc = seccomp_notify_id_valid(fd, last_id);
	if (rc != -ENOENT)
		fail("seccomp_notify_id_valid(answered id): %d, want -ENOENT",
		     rc);
	seccomp_notify_free(req, resp);
	close(fd);
	printf("supervised getppid twice: answered EPERM, then let it "
	       "through\n");
	return 0;
}
