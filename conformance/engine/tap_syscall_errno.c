/*
 * tap_syscall_errno.c - Linux's errno names with this machine's values:
 * what a script's "= -1 ENAME" means, how a failed call's errno is named
 * in a message, and (through tap_sym) an errno name used as a constant.
 * A name the headers do not define is absent.
 */
#include "tap_syscall.h"

#include <errno.h>
#include <string.h>

struct sym {
	const char *name;
	int64_t val;
};

#define S(n) {#n, (int64_t)(n)},

static const struct sym ERRNOS[] = {
#ifdef E2BIG
	S(E2BIG)
#endif
#ifdef EACCES
	S(EACCES)
#endif
#ifdef EADDRINUSE
	S(EADDRINUSE)
#endif
#ifdef EADDRNOTAVAIL
	S(EADDRNOTAVAIL)
#endif
#ifdef EADV
	S(EADV)
#endif
#ifdef EAFNOSUPPORT
	S(EAFNOSUPPORT)
#endif
#ifdef EAGAIN
	S(EAGAIN)
#endif
#ifdef EALREADY
	S(EALREADY)
#endif
#ifdef EBADE
	S(EBADE)
#endif
#ifdef EBADF
	S(EBADF)
#endif
#ifdef EBADFD
	S(EBADFD)
#endif
#ifdef EBADMSG
	S(EBADMSG)
#endif
#ifdef EBADR
	S(EBADR)
#endif
#ifdef EBADRQC
	S(EBADRQC)
#endif
#ifdef EBADSLT
	S(EBADSLT)
#endif
#ifdef EBFONT
	S(EBFONT)
#endif
#ifdef EBUSY
	S(EBUSY)
#endif
#ifdef ECANCELED
	S(ECANCELED)
#endif
#ifdef ECHILD
	S(ECHILD)
#endif
#ifdef ECHRNG
	S(ECHRNG)
#endif
#ifdef ECOMM
	S(ECOMM)
#endif
#ifdef ECONNABORTED
	S(ECONNABORTED)
#endif
#ifdef ECONNREFUSED
	S(ECONNREFUSED)
#endif
#ifdef ECONNRESET
	S(ECONNRESET)
#endif
#ifdef EDEADLK
	S(EDEADLK)
#endif
#ifdef EDEADLOCK
	S(EDEADLOCK)
#endif
#ifdef EDESTADDRREQ
	S(EDESTADDRREQ)
#endif
#ifdef EDOM
	S(EDOM)
#endif
#ifdef EDOTDOT
	S(EDOTDOT)
#endif
#ifdef EDQUOT
	S(EDQUOT)
#endif
#ifdef EEXIST
	S(EEXIST)
#endif
#ifdef EFAULT
	S(EFAULT)
#endif
#ifdef EFBIG
	S(EFBIG)
#endif
#ifdef EHOSTDOWN
	S(EHOSTDOWN)
#endif
#ifdef EHOSTUNREACH
	S(EHOSTUNREACH)
#endif
#ifdef EHWPOISON
	S(EHWPOISON)
#endif
#ifdef EIDRM
	S(EIDRM)
#endif
#ifdef EILSEQ
	S(EILSEQ)
#endif
#ifdef EINPROGRESS
	S(EINPROGRESS)
#endif
#ifdef EINTR
	S(EINTR)
#endif
#ifdef EINVAL
	S(EINVAL)
#endif
#ifdef EIO
	S(EIO)
#endif
#ifdef EISCONN
	S(EISCONN)
#endif
#ifdef EISDIR
	S(EISDIR)
#endif
#ifdef EISNAM
	S(EISNAM)
#endif
#ifdef EKEYEXPIRED
	S(EKEYEXPIRED)
#endif
#ifdef EKEYREJECTED
	S(EKEYREJECTED)
#endif
#ifdef EKEYREVOKED
	S(EKEYREVOKED)
#endif
#ifdef EL2HLT
	S(EL2HLT)
#endif
#ifdef EL2NSYNC
	S(EL2NSYNC)
#endif
#ifdef EL3HLT
	S(EL3HLT)
#endif
#ifdef EL3RST
	S(EL3RST)
#endif
#ifdef ELIBACC
	S(ELIBACC)
#endif
#ifdef ELIBBAD
	S(ELIBBAD)
#endif
#ifdef ELIBEXEC
	S(ELIBEXEC)
#endif
#ifdef ELIBMAX
	S(ELIBMAX)
#endif
#ifdef ELIBSCN
	S(ELIBSCN)
#endif
#ifdef ELNRNG
	S(ELNRNG)
#endif
#ifdef ELOOP
	S(ELOOP)
#endif
#ifdef EMEDIUMTYPE
	S(EMEDIUMTYPE)
#endif
#ifdef EMFILE
	S(EMFILE)
#endif
#ifdef EMLINK
	S(EMLINK)
#endif
#ifdef EMSGSIZE
	S(EMSGSIZE)
#endif
#ifdef EMULTIHOP
	S(EMULTIHOP)
#endif
#ifdef ENAMETOOLONG
	S(ENAMETOOLONG)
#endif
#ifdef ENAVAIL
	S(ENAVAIL)
#endif
#ifdef ENETDOWN
	S(ENETDOWN)
#endif
#ifdef ENETRESET
	S(ENETRESET)
#endif
#ifdef ENETUNREACH
	S(ENETUNREACH)
#endif
#ifdef ENFILE
	S(ENFILE)
#endif
#ifdef ENOANO
	S(ENOANO)
#endif
#ifdef ENOBUFS
	S(ENOBUFS)
#endif
#ifdef ENOCSI
	S(ENOCSI)
#endif
#ifdef ENODATA
	S(ENODATA)
#endif
#ifdef ENODEV
	S(ENODEV)
#endif
#ifdef ENOENT
	S(ENOENT)
#endif
#ifdef ENOEXEC
	S(ENOEXEC)
#endif
#ifdef ENOKEY
	S(ENOKEY)
#endif
#ifdef ENOLCK
	S(ENOLCK)
#endif
#ifdef ENOLINK
	S(ENOLINK)
#endif
#ifdef ENOMEDIUM
	S(ENOMEDIUM)
#endif
#ifdef ENOMEM
	S(ENOMEM)
#endif
#ifdef ENOMSG
	S(ENOMSG)
#endif
#ifdef ENONET
	S(ENONET)
#endif
#ifdef ENOPKG
	S(ENOPKG)
#endif
#ifdef ENOPROTOOPT
	S(ENOPROTOOPT)
#endif
#ifdef ENOSPC
	S(ENOSPC)
#endif
#ifdef ENOSR
	S(ENOSR)
#endif
#ifdef ENOSTR
	S(ENOSTR)
#endif
#ifdef ENOSYS
	S(ENOSYS)
#endif
#ifdef ENOTBLK
	S(ENOTBLK)
#endif
#ifdef ENOTCONN
	S(ENOTCONN)
#endif
#ifdef ENOTDIR
	S(ENOTDIR)
#endif
#ifdef ENOTEMPTY
	S(ENOTEMPTY)
#endif
#ifdef ENOTNAM
	S(ENOTNAM)
#endif
#ifdef ENOTRECOVERABLE
	S(ENOTRECOVERABLE)
#endif
#ifdef ENOTSOCK
	S(ENOTSOCK)
#endif
#ifdef ENOTSUP
	S(ENOTSUP)
#endif
#ifdef ENOTTY
	S(ENOTTY)
#endif
#ifdef ENOTUNIQ
	S(ENOTUNIQ)
#endif
#ifdef ENXIO
	S(ENXIO)
#endif
#ifdef EOPNOTSUPP
	S(EOPNOTSUPP)
#endif
#ifdef EOVERFLOW
	S(EOVERFLOW)
#endif
#ifdef EOWNERDEAD
	S(EOWNERDEAD)
#endif
#ifdef EPERM
	S(EPERM)
#endif
#ifdef EPFNOSUPPORT
	S(EPFNOSUPPORT)
#endif
#ifdef EPIPE
	S(EPIPE)
#endif
#ifdef EPROTO
	S(EPROTO)
#endif
#ifdef EPROTONOSUPPORT
	S(EPROTONOSUPPORT)
#endif
#ifdef EPROTOTYPE
	S(EPROTOTYPE)
#endif
#ifdef ERANGE
	S(ERANGE)
#endif
#ifdef EREMCHG
	S(EREMCHG)
#endif
#ifdef EREMOTE
	S(EREMOTE)
#endif
#ifdef EREMOTEIO
	S(EREMOTEIO)
#endif
#ifdef ERESTART
	S(ERESTART)
#endif
#ifdef ERFKILL
	S(ERFKILL)
#endif
#ifdef EROFS
	S(EROFS)
#endif
#ifdef ESHUTDOWN
	S(ESHUTDOWN)
#endif
#ifdef ESOCKTNOSUPPORT
	S(ESOCKTNOSUPPORT)
#endif
#ifdef ESPIPE
	S(ESPIPE)
#endif
#ifdef ESRCH
	S(ESRCH)
#endif
#ifdef ESRMNT
	S(ESRMNT)
#endif
#ifdef ESTALE
	S(ESTALE)
#endif
#ifdef ESTRPIPE
	S(ESTRPIPE)
#endif
#ifdef ETIME
	S(ETIME)
#endif
#ifdef ETIMEDOUT
	S(ETIMEDOUT)
#endif
#ifdef ETOOMANYREFS
	S(ETOOMANYREFS)
#endif
#ifdef ETXTBSY
	S(ETXTBSY)
#endif
#ifdef EUCLEAN
	S(EUCLEAN)
#endif
#ifdef EUNATCH
	S(EUNATCH)
#endif
#ifdef EUSERS
	S(EUSERS)
#endif
#ifdef EWOULDBLOCK
	S(EWOULDBLOCK)
#endif
#ifdef EXDEV
	S(EXDEV)
#endif
#ifdef EXFULL
	S(EXFULL)
#endif
};

bool tap_errno(const char *name, int *e)
{
	for (size_t i = 0; i < sizeof ERRNOS / sizeof ERRNOS[0]; i++)
		if (strcmp(ERRNOS[i].name, name) == 0) {
			*e = (int)ERRNOS[i].val;
			return true;
		}
	return false;
}

const char *tap_errno_name(int e)
{
	for (size_t i = 0; i < sizeof ERRNOS / sizeof ERRNOS[0]; i++)
		if (ERRNOS[i].val == e && strcmp(ERRNOS[i].name, "EWOULDBLOCK") != 0 &&
		    strcmp(ERRNOS[i].name, "EDEADLOCK") != 0 && strcmp(ERRNOS[i].name, "ENOTSUP") != 0)
			return ERRNOS[i].name;
	return "E?";
}
