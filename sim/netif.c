/*
 * netif.c - interface calls shared by the TAP set-ups (see netif.h).
 */
#define _GNU_SOURCE
#include "netif.h"

#include <net/if.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void netif_ifreq(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof *ifr);
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
}

void netif_sin(struct sockaddr *sa, uint32_t ip)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(ip);
	memcpy(sa, &sin, sizeof sin);
}

int netif_up(int ctl, const char *name)
{
	struct ifreq ifr;
	netif_ifreq(&ifr, name);
	if (ioctl(ctl, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP);
	return ioctl(ctl, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

int netif_write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value);
	ssize_t w = write(fd, value, len);
	int e = errno;
	close(fd);
	if (w < 0)
		return -e;
	return (size_t)w == len ? 0 : -EIO;
}
