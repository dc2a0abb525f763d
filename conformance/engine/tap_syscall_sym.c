/*
 * tap_syscall_sym.c - the symbolic constants a packetdrill script writes
 * in its system calls (SOL_SOCKET, TCP_NODELAY, MSG_DONTWAIT, O_NONBLOCK,
 * EPOLLIN, POLLOUT, SHUT_WR, SIOCINQ, ...), with the values of this
 * machine's system headers (Linux's errno names are in tap_syscall_errno.c).
 * The list of names is
 * the one packetdrill's Linux symbol table knows; a name the headers do not
 * define is simply absent (the call naming it is then unsupported, with
 * the name).
 */
#define _GNU_SOURCE
#include "tap_syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct sym {
	const char *name;
	int64_t val;
};

#define S(n) {#n, (int64_t)(n)},

static const struct sym SYMS[] = {
	/* packetdrill's cross-platform names */
	S(AF_INET) S(AF_INET6) S(AF_PACKET) S(AF_UNSPEC) S(PF_INET) S(PF_INET6) S(SOCK_RAW) S(SOCK_STREAM)
	S(SOCK_DGRAM) S(SOCK_NONBLOCK) S(SOCK_CLOEXEC) S(IPPROTO_RAW) S(IPPROTO_IP) S(IPPROTO_IPV6)
	S(IPPROTO_ICMP) S(IPPROTO_ICMPV6) S(IPPROTO_TCP) S(IPPROTO_UDP) S(SHUT_RD) S(SHUT_WR) S(SHUT_RDWR)
	S(SOL_SOCKET)
	{"NULL", 0},
#ifdef AF_UNSPEC
	S(AF_UNSPEC)
#endif
#ifdef EPOLLERR
	S(EPOLLERR)
#endif
#ifdef EPOLLET
	S(EPOLLET)
#endif
#ifdef EPOLLEXCLUSIVE
	S(EPOLLEXCLUSIVE)
#endif
#ifdef EPOLLHUP
	S(EPOLLHUP)
#endif
#ifdef EPOLLIN
	S(EPOLLIN)
#endif
#ifdef EPOLLMSG
	S(EPOLLMSG)
#endif
#ifdef EPOLLONESHOT
	S(EPOLLONESHOT)
#endif
#ifdef EPOLLOUT
	S(EPOLLOUT)
#endif
#ifdef EPOLLPRI
	S(EPOLLPRI)
#endif
#ifdef EPOLLRDBAND
	S(EPOLLRDBAND)
#endif
#ifdef EPOLLRDHUP
	S(EPOLLRDHUP)
#endif
#ifdef EPOLLRDNORM
	S(EPOLLRDNORM)
#endif
#ifdef EPOLLWRBAND
	S(EPOLLWRBAND)
#endif
#ifdef EPOLLWRNORM
	S(EPOLLWRNORM)
#endif
#ifdef EPOLL_CTL_ADD
	S(EPOLL_CTL_ADD)
#endif
#ifdef EPOLL_CTL_DEL
	S(EPOLL_CTL_DEL)
#endif
#ifdef EPOLL_CTL_MOD
	S(EPOLL_CTL_MOD)
#endif
#ifdef FD_CLOEXEC
	S(FD_CLOEXEC)
#endif
#ifdef FIONREAD
	S(FIONREAD)
#endif
#ifdef F_DUPFD
	S(F_DUPFD)
#endif
#ifdef F_DUPFD_CLOEXEC
	S(F_DUPFD_CLOEXEC)
#endif
#ifdef F_EXLCK
	S(F_EXLCK)
#endif
#ifdef F_GETFD
	S(F_GETFD)
#endif
#ifdef F_GETFL
	S(F_GETFL)
#endif
#ifdef F_GETLEASE
	S(F_GETLEASE)
#endif
#ifdef F_GETLK
	S(F_GETLK)
#endif
#ifdef F_GETLK64
	S(F_GETLK64)
#endif
#ifdef F_GETOWN
	S(F_GETOWN)
#endif
#ifdef F_GETSIG
	S(F_GETSIG)
#endif
#ifdef F_NOTIFY
	S(F_NOTIFY)
#endif
#ifdef F_RDLCK
	S(F_RDLCK)
#endif
#ifdef F_SETFD
	S(F_SETFD)
#endif
#ifdef F_SETFL
	S(F_SETFL)
#endif
#ifdef F_SETLEASE
	S(F_SETLEASE)
#endif
#ifdef F_SETLK
	S(F_SETLK)
#endif
#ifdef F_SETLK64
	S(F_SETLK64)
#endif
#ifdef F_SETLKW
	S(F_SETLKW)
#endif
#ifdef F_SETLKW64
	S(F_SETLKW64)
#endif
#ifdef F_SETOWN
	S(F_SETOWN)
#endif
#ifdef F_SETSIG
	S(F_SETSIG)
#endif
#ifdef F_SHLCK
	S(F_SHLCK)
#endif
#ifdef F_UNLCK
	S(F_UNLCK)
#endif
#ifdef F_WRLCK
	S(F_WRLCK)
#endif
#ifdef IPV6_HOPLIMIT
	S(IPV6_HOPLIMIT)
#endif
#ifdef IPV6_MTU
	S(IPV6_MTU)
#endif
#ifdef IPV6_MTU_DISCOVER
	S(IPV6_MTU_DISCOVER)
#endif
#ifdef IPV6_RECVERR
	S(IPV6_RECVERR)
#endif
#ifdef IPV6_TCLASS
	S(IPV6_TCLASS)
#endif
#ifdef IPV6_V6ONLY
	S(IPV6_V6ONLY)
#endif
#ifdef IP_FREEBIND
	S(IP_FREEBIND)
#endif
#ifdef IP_MTU
	S(IP_MTU)
#endif
#ifdef IP_MTU_DISCOVER
	S(IP_MTU_DISCOVER)
#endif
#ifdef IP_PMTUDISC_DO
	S(IP_PMTUDISC_DO)
#endif
#ifdef IP_PMTUDISC_DONT
	S(IP_PMTUDISC_DONT)
#endif
#ifdef IP_PMTUDISC_PROBE
	S(IP_PMTUDISC_PROBE)
#endif
#ifdef IP_PMTUDISC_WANT
	S(IP_PMTUDISC_WANT)
#endif
#ifdef IP_RECVERR
	S(IP_RECVERR)
#endif
#ifdef IP_TOS
	S(IP_TOS)
#endif
#ifdef IP_TTL
	S(IP_TTL)
#endif
#ifdef LOCK_EX
	S(LOCK_EX)
#endif
#ifdef LOCK_NB
	S(LOCK_NB)
#endif
#ifdef LOCK_SH
	S(LOCK_SH)
#endif
#ifdef LOCK_UN
	S(LOCK_UN)
#endif
#ifdef MSG_CMSG_CLOEXEC
	S(MSG_CMSG_CLOEXEC)
#endif
#ifdef MSG_CONFIRM
	S(MSG_CONFIRM)
#endif
#ifdef MSG_CTRUNC
	S(MSG_CTRUNC)
#endif
#ifdef MSG_DONTROUTE
	S(MSG_DONTROUTE)
#endif
#ifdef MSG_DONTWAIT
	S(MSG_DONTWAIT)
#endif
#ifdef MSG_EOR
	S(MSG_EOR)
#endif
#ifdef MSG_ERRQUEUE
	S(MSG_ERRQUEUE)
#endif
#ifdef MSG_FASTOPEN
	S(MSG_FASTOPEN)
#endif
#ifdef MSG_FIN
	S(MSG_FIN)
#endif
#ifdef MSG_MORE
	S(MSG_MORE)
#endif
#ifdef MSG_NOSIGNAL
	S(MSG_NOSIGNAL)
#endif
#ifdef MSG_OOB
	S(MSG_OOB)
#endif
#ifdef MSG_PEEK
	S(MSG_PEEK)
#endif
#ifdef MSG_PROXY
	S(MSG_PROXY)
#endif
#ifdef MSG_RST
	S(MSG_RST)
#endif
#ifdef MSG_SYN
	S(MSG_SYN)
#endif
#ifdef MSG_TRUNC
	S(MSG_TRUNC)
#endif
#ifdef MSG_WAITALL
	S(MSG_WAITALL)
#endif
#ifdef MSG_ZEROCOPY
	S(MSG_ZEROCOPY)
#endif
#ifdef O_ACCMODE
	S(O_ACCMODE)
#endif
#ifdef O_APPEND
	S(O_APPEND)
#endif
#ifdef O_CREAT
	S(O_CREAT)
#endif
#ifdef O_EXCL
	S(O_EXCL)
#endif
#ifdef O_NOCTTY
	S(O_NOCTTY)
#endif
#ifdef O_NONBLOCK
	S(O_NONBLOCK)
#endif
#ifdef O_RDONLY
	S(O_RDONLY)
#endif
#ifdef O_RDWR
	S(O_RDWR)
#endif
#ifdef O_TRUNC
	S(O_TRUNC)
#endif
#ifdef O_WRONLY
	S(O_WRONLY)
#endif
#ifdef POLLERR
	S(POLLERR)
#endif
#ifdef POLLHUP
	S(POLLHUP)
#endif
#ifdef POLLIN
	S(POLLIN)
#endif
#ifdef POLLMSG
	S(POLLMSG)
#endif
#ifdef POLLNVAL
	S(POLLNVAL)
#endif
#ifdef POLLOUT
	S(POLLOUT)
#endif
#ifdef POLLPRI
	S(POLLPRI)
#endif
#ifdef POLLRDBAND
	S(POLLRDBAND)
#endif
#ifdef POLLRDHUP
	S(POLLRDHUP)
#endif
#ifdef POLLRDNORM
	S(POLLRDNORM)
#endif
#ifdef POLLREMOVE
	S(POLLREMOVE)
#endif
#ifdef POLLWRBAND
	S(POLLWRBAND)
#endif
#ifdef POLLWRNORM
	S(POLLWRNORM)
#endif
#ifdef SCM_TIMESTAMPING
	S(SCM_TIMESTAMPING)
#endif
#ifdef SCM_TIMESTAMPING_OPT_STATS
	S(SCM_TIMESTAMPING_OPT_STATS)
#endif
#ifdef SEEK_CUR
	S(SEEK_CUR)
#endif
#ifdef SEEK_END
	S(SEEK_END)
#endif
#ifdef SEEK_SET
	S(SEEK_SET)
#endif
#ifdef SIOCINQ
	S(SIOCINQ)
#endif
#ifdef SOL_IP
	S(SOL_IP)
#endif
#ifdef SOL_IPV6
	S(SOL_IPV6)
#endif
#ifdef SOL_TCP
	S(SOL_TCP)
#endif
#ifdef SOL_UDP
	S(SOL_UDP)
#endif
#ifdef SO_ACCEPTCONN
	S(SO_ACCEPTCONN)
#endif
#ifdef SO_ATTACH_FILTER
	S(SO_ATTACH_FILTER)
#endif
#ifdef SO_BINDTODEVICE
	S(SO_BINDTODEVICE)
#endif
#ifdef SO_BROADCAST
	S(SO_BROADCAST)
#endif
#ifdef SO_BSDCOMPAT
	S(SO_BSDCOMPAT)
#endif
#ifdef SO_DEBUG
	S(SO_DEBUG)
#endif
#ifdef SO_DETACH_FILTER
	S(SO_DETACH_FILTER)
#endif
#ifdef SO_DONTROUTE
	S(SO_DONTROUTE)
#endif
#ifdef SO_EE_CODE_ZEROCOPY_COPIED
	S(SO_EE_CODE_ZEROCOPY_COPIED)
#endif
#ifdef SO_EE_ORIGIN_TIMESTAMPING
	S(SO_EE_ORIGIN_TIMESTAMPING)
#endif
#ifdef SO_EE_ORIGIN_ZEROCOPY
	S(SO_EE_ORIGIN_ZEROCOPY)
#endif
#ifdef SO_ERROR
	S(SO_ERROR)
#endif
#ifdef SO_KEEPALIVE
	S(SO_KEEPALIVE)
#endif
#ifdef SO_LINGER
	S(SO_LINGER)
#endif
#ifdef SO_MARK
	S(SO_MARK)
#endif
#ifdef SO_MAX_PACING_RATE
	S(SO_MAX_PACING_RATE)
#endif
#ifdef SO_NO_CHECK
	S(SO_NO_CHECK)
#endif
#ifdef SO_OOBINLINE
	S(SO_OOBINLINE)
#endif
#ifdef SO_PASSCRED
	S(SO_PASSCRED)
#endif
#ifdef SO_PEERCRED
	S(SO_PEERCRED)
#endif
#ifdef SO_PEERNAME
	S(SO_PEERNAME)
#endif
#ifdef SO_PEERSEC
	S(SO_PEERSEC)
#endif
#ifdef SO_PRIORITY
	S(SO_PRIORITY)
#endif
#ifdef SO_RCVBUF
	S(SO_RCVBUF)
#endif
#ifdef SO_RCVLOWAT
	S(SO_RCVLOWAT)
#endif
#ifdef SO_RCVTIMEO
	S(SO_RCVTIMEO)
#endif
#ifdef SO_REUSEADDR
	S(SO_REUSEADDR)
#endif
#ifdef SO_REUSEPORT
	S(SO_REUSEPORT)
#endif
#ifdef SO_SECURITY_AUTHENTICATION
	S(SO_SECURITY_AUTHENTICATION)
#endif
#ifdef SO_SECURITY_ENCRYPTION_NETWORK
	S(SO_SECURITY_ENCRYPTION_NETWORK)
#endif
#ifdef SO_SECURITY_ENCRYPTION_TRANSPORT
	S(SO_SECURITY_ENCRYPTION_TRANSPORT)
#endif
#ifdef SO_SNDBUF
	S(SO_SNDBUF)
#endif
#ifdef SO_SNDLOWAT
	S(SO_SNDLOWAT)
#endif
#ifdef SO_SNDTIMEO
	S(SO_SNDTIMEO)
#endif
#ifdef SO_TIMESTAMP
	S(SO_TIMESTAMP)
#endif
#ifdef SO_TIMESTAMPING
	S(SO_TIMESTAMPING)
#endif
#ifdef SO_TYPE
	S(SO_TYPE)
#endif
#ifdef SO_ZEROCOPY
	S(SO_ZEROCOPY)
#endif
#ifdef SPLICE_F_GIFT
	S(SPLICE_F_GIFT)
#endif
#ifdef SPLICE_F_MORE
	S(SPLICE_F_MORE)
#endif
#ifdef SPLICE_F_MOVE
	S(SPLICE_F_MOVE)
#endif
#ifdef SPLICE_F_NONBLOCK
	S(SPLICE_F_NONBLOCK)
#endif
#ifdef TCP_CM_INQ
	S(TCP_CM_INQ)
#endif
#ifdef TCP_CONGESTION
	S(TCP_CONGESTION)
#endif
#ifdef TCP_COOKIE_TRANSACTIONS
	S(TCP_COOKIE_TRANSACTIONS)
#endif
#ifdef TCP_CORK
	S(TCP_CORK)
#endif
#ifdef TCP_DEFER_ACCEPT
	S(TCP_DEFER_ACCEPT)
#endif
#ifdef TCP_FASTOPEN
	S(TCP_FASTOPEN)
#endif
#ifdef TCP_FASTOPEN_CONNECT
	S(TCP_FASTOPEN_CONNECT)
#endif
#ifdef TCP_FASTOPEN_KEY
	S(TCP_FASTOPEN_KEY)
#endif
#ifdef TCP_FASTOPEN_NO_COOKIE
	S(TCP_FASTOPEN_NO_COOKIE)
#endif
#ifdef TCP_INFO
	S(TCP_INFO)
#endif
#ifdef TCP_INQ
	S(TCP_INQ)
#endif
#ifdef TCP_KEEPCNT
	S(TCP_KEEPCNT)
#endif
#ifdef TCP_KEEPIDLE
	S(TCP_KEEPIDLE)
#endif
#ifdef TCP_KEEPINTVL
	S(TCP_KEEPINTVL)
#endif
#ifdef TCP_LINGER2
	S(TCP_LINGER2)
#endif
#ifdef TCP_MAXSEG
	S(TCP_MAXSEG)
#endif
#ifdef TCP_MD5SIG
	S(TCP_MD5SIG)
#endif
#ifdef TCP_NODELAY
	S(TCP_NODELAY)
#endif
#ifdef TCP_NOTSENT_LOWAT
	S(TCP_NOTSENT_LOWAT)
#endif
#ifdef TCP_QUICKACK
	S(TCP_QUICKACK)
#endif
#ifdef TCP_SYNCNT
	S(TCP_SYNCNT)
#endif
#ifdef TCP_THIN_DUPACK
	S(TCP_THIN_DUPACK)
#endif
#ifdef TCP_THIN_LINEAR_TIMEOUTS
	S(TCP_THIN_LINEAR_TIMEOUTS)
#endif
#ifdef TCP_TIMESTAMP
	S(TCP_TIMESTAMP)
#endif
#ifdef TCP_TX_DELAY
	S(TCP_TX_DELAY)
#endif
#ifdef TCP_USER_TIMEOUT
	S(TCP_USER_TIMEOUT)
#endif
	/* enum values of <linux/net_tstamp.h> and <linux/errqueue.h> */
	S(SCM_TSTAMP_ACK)
	S(SCM_TSTAMP_SCHED)
	S(SCM_TSTAMP_SND)
	S(SOF_TIMESTAMPING_OPT_CMSG)
	S(SOF_TIMESTAMPING_OPT_ID)
	{"SOF_TIMESTAMPING_OPT_ID_TCP", 1 << 16}, /* Linux uapi, newer than these headers */
	S(SOF_TIMESTAMPING_OPT_STATS)
	S(SOF_TIMESTAMPING_OPT_TSONLY)
	S(SOF_TIMESTAMPING_RAW_HARDWARE)
	S(SOF_TIMESTAMPING_RX_HARDWARE)
	S(SOF_TIMESTAMPING_RX_SOFTWARE)
	S(SOF_TIMESTAMPING_SOFTWARE)
	S(SOF_TIMESTAMPING_SYS_HARDWARE)
	S(SOF_TIMESTAMPING_TX_ACK)
	S(SOF_TIMESTAMPING_TX_HARDWARE)
	S(SOF_TIMESTAMPING_TX_SCHED)
	S(SOF_TIMESTAMPING_TX_SOFTWARE)
};


static bool lookup(const struct sym *t, size_t n, const char *name, int64_t *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0) {
			*v = t[i].val;
			return true;
		}
	return false;
}

/* errno names are symbols too (packetdrill's table holds both): they are
 * kept once, in tap_syscall_errno.c. */
bool tap_sym(const char *name, int64_t *v)
{
	int e;
	if (lookup(SYMS, sizeof SYMS / sizeof SYMS[0], name, v))
		return true;
	if (!tap_errno(name, &e))
		return false;
	*v = e;
	return true;
}
