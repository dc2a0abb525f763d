/*
 * packetdrill_abi.h - the function table of packetdrill's shared-object
 * mode, as synack's library (libsynack_packetdrill.so) fills it.
 *
 *   packetdrill --so_filename=libsynack_packetdrill.so --so_flags="dut=sim" x.pkt
 *     dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE | RTLD_DEEPBIND)
 *     dlsym("packetdrill_interface_init") -> init(so_flags, &table)
 *     every socket call, packet and clock read -> table.fn(table.userdata, ...)
 *
 * Matched against google/packetdrill's gtests/net/packetdrill/packetdrill.h
 * and so_testing.c at commit 2c4001c4d6fc04a3bbd01d4b92be62717a37648a.
 * packetdrill compiles its own copy of the struct and calls through it, so
 * the order of the members below IS the ABI: one opaque pointer, then 32
 * function pointers, each taking that pointer first. Keep the order if you
 * edit this file, and re-check it against a newer packetdrill.h (the table
 * carries no version number). The declarations are synack's own; only the
 * member order, the types and the meaning are facts of packetdrill's.
 *
 * Meaning, from packetdrill's callers (run.c, run_system_call.c,
 * so_testing.c):
 *   - the 22 socket calls take and return what the POSIX calls do, with
 *     errno set on -1 (packetdrill compares result and errno to the script);
 *   - netdev_send: one inbound IP datagram, no link-layer header, checksums
 *     filled in; 0 on success, -1 on error;
 *   - netdev_receive: the next datagram the stack sent, into buf (*count is
 *     the buffer size on entry, the datagram length on return) with its
 *     send time in microseconds of the library's clock; -1 = nothing yet,
 *     and packetdrill simply calls again (it has no timeout of its own);
 *   - gettimeofday and usleep: every clock read and every wait of the
 *     script goes through these, so a library with a virtual clock runs
 *     scripts in virtual time. packetdrill spins on gettimeofday for waits
 *     of 20 us or less, so each read must move the clock forward;
 *   - free(userdata) once, when packetdrill is done.
 */
#ifndef SYNACK_PACKETDRILL_ABI_H
#define SYNACK_PACKETDRILL_ABI_H

#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Only pointers to these cross the interface. */
struct epoll_event;
struct timezone;

/* packetdrill's useconds_t and loff_t: glibc's are unsigned int and a
 * 64-bit signed integer (only a pointer to the latter crosses). */
typedef unsigned int pdso_useconds_t;
typedef int64_t pdso_loff_t;

struct packetdrill_interface {
	void *userdata;
	void (*free)(void *userdata);
	int (*socket)(void *userdata, int domain, int type, int protocol);
	int (*bind)(void *userdata, int sockfd, const struct sockaddr *addr, socklen_t addrlen);
	int (*listen)(void *userdata, int sockfd, int backlog);
	int (*accept)(void *userdata, int sockfd, struct sockaddr *addr, socklen_t *addrlen);
	int (*connect)(void *userdata, int sockfd, const struct sockaddr *addr, socklen_t addrlen);
	ssize_t (*read)(void *userdata, int fd, void *buf, size_t count);
	ssize_t (*readv)(void *userdata, int fd, const struct iovec *iov, int iovcnt);
	ssize_t (*recv)(void *userdata, int sockfd, void *buf, size_t len, int flags);
	ssize_t (*recvfrom)(void *userdata, int sockfd, void *buf, size_t len, int flags,
			    struct sockaddr *src_addr, socklen_t *addrlen);
	ssize_t (*recvmsg)(void *userdata, int sockfd, struct msghdr *msg, int flags);
	ssize_t (*write)(void *userdata, int fd, const void *buf, size_t count);
	ssize_t (*writev)(void *userdata, int fd, const struct iovec *iov, int iovcnt);
	ssize_t (*send)(void *userdata, int sockfd, const void *buf, size_t len, int flags);
	ssize_t (*sendto)(void *userdata, int sockfd, const void *buf, size_t len, int flags,
			  const struct sockaddr *dest_addr, socklen_t addrlen);
	ssize_t (*sendmsg)(void *userdata, int sockfd, const struct msghdr *msg, int flags);
	int (*fcntl)(void *userdata, int fd, int cmd, ...);
	int (*ioctl)(void *userdata, int fd, unsigned long request, ...);
	int (*close)(void *userdata, int fd);
	int (*shutdown)(void *userdata, int sockfd, int how);
	int (*getsockopt)(void *userdata, int sockfd, int level, int optname, void *optval, socklen_t *optlen);
	int (*setsockopt)(void *userdata, int sockfd, int level, int optname, const void *optval,
			  socklen_t optlen);
	int (*poll)(void *userdata, struct pollfd *fds, nfds_t nfds, int timeout);
	int (*netdev_send)(void *userdata, const void *buf, size_t count);
	int (*netdev_receive)(void *userdata, void *buf, size_t *count, long long *time_usecs);
	int (*usleep)(void *userdata, pdso_useconds_t usec);
	int (*gettimeofday)(void *userdata, struct timeval *tv, struct timezone *tz);
	int (*epoll_create)(void *userdata, int size);
	int (*epoll_ctl)(void *userdata, int epfd, int op, int fd, struct epoll_event *event);
	int (*epoll_wait)(void *userdata, int epfd, struct epoll_event *events, int maxevents, int timeout);
	int (*pipe)(void *userdata, int pipefd[2]);
	int (*splice)(void *userdata, int fd_in, pdso_loff_t *off_in, int fd_out, pdso_loff_t *off_out,
		      size_t len, unsigned int flags);
};

/* The one symbol packetdrill looks up. flags is --so_flags verbatim (NULL
 * when the option was not given). It returns nothing: a library that
 * cannot start must say why and exit. */
#define PDSO_INIT_SYMBOL "packetdrill_interface_init"
typedef void (*packetdrill_interface_init_t)(const char *flags, struct packetdrill_interface *iface);

/* The number of function pointers in the table (32 at the commit above). */
#define PDSO_IFACE_FUNCTIONS ((sizeof(struct packetdrill_interface) - sizeof(void *)) / sizeof(void (*)(void)))

#ifdef __cplusplus
}
#endif
#endif /* SYNACK_PACKETDRILL_ABI_H */
