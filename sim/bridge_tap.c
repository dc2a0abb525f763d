/*
 * bridge_tap.c - a TAP device in a network namespace of its own on the
 * device's link port (see bridge_tap.h).
 *
 *   bridge_tap_new
 *     check_caps -> save this thread's namespace -> unshare(CLONE_NEWNET)
 *     -> name it (optional: /run/netns/NAME, a bind mount of our namespace)
 *     -> sysctls (IPv6 off) -> lo up -> /dev/net/tun TUNSETIFF synack0
 *     -> MAC, 10.0.2.2/24, up -> a port on the link
 *   bridge_tap_read:   read() until EAGAIN -> pad -> sim_link_send_nofcs(now)
 *   port_deliver:      FCS check -> write() to the TAP (EAGAIN: dropped, counted)
 *
 * Everything is done with ioctls on a socket inside the namespace and
 * /proc/sys writes, as conformance/engine/dut_tap.c does for the tap DUT;
 * no ip(8) is run. The namespace's name is the only thing that can outlive
 * the process (a bind mount survives SIGKILL), so its path is kept where
 * bridge_tap_emergency_cleanup() can remove it from a signal handler.
 */
#define _GNU_SOURCE
#include "bridge_tap.h"
#include "netif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAP_BIT_NET_ADMIN 12
#define CAP_BIT_SYS_ADMIN 21
#define NETNS_DIR "/run/netns"

/* Locally administered, fixed: captures compare run to run. */
static const uint8_t KERNEL_MAC[6] = {0x02, 0x53, 0x59, 0x4e, 0x00, 0x02};

struct bridge_tap {
	struct sim *sim;
	struct sim_port *port;
	struct bridge_tap_config cfg;
	int saved_ns;            /* the thread's namespace before, for free() */
	int tap_fd, ctl_fd;
	bool named;
	char path[96];           /* /run/netns/NAME */
	struct bridge_stats stats;
};

/* For the signal handler: the name to remove, or "" (one TAP bridge per
 * process, like the namespace it lives in). */
static char g_netns_path[96];

const char *bridge_tap_missing(char *buf, size_t cap)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff = 0;
	bool found = false;
	if (f != NULL) {
		char line[256];
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "CapEff: %llx", &eff) == 1) {
				found = true;
				break;
			}
		fclose(f);
	}
	const char *need = "--net tap needs CAP_NET_ADMIN (for the TAP device and its address) and CAP_SYS_ADMIN "
			   "(for a network namespace of its own)";
	const char *fix = "run it as root, or use --net slirp, which needs no privileges";
	if (!found) {
		snprintf(buf, cap, "%s: cannot read the capabilities (/proc/self/status); %s", need, fix);
		return buf;
	}
	bool na = (eff >> CAP_BIT_NET_ADMIN) & 1u, sa = (eff >> CAP_BIT_SYS_ADMIN) & 1u;
	if (!na || !sa) {
		snprintf(buf, cap, "%s: missing %s; %s", need,
			 !na && !sa ? "CAP_NET_ADMIN and CAP_SYS_ADMIN" : !na ? "CAP_NET_ADMIN" : "CAP_SYS_ADMIN", fix);
		return buf;
	}
	struct stat st;
	if (stat("/dev/net/tun", &st) != 0 || !S_ISCHR(st.st_mode)) {
		snprintf(buf, cap, "--net tap needs /dev/net/tun, which %s (load the tun module); or use --net slirp",
			 errno == ENOENT ? "does not exist" : "is not a character device");
		return buf;
	}
	return NULL;
}

/* A name `ip netns` accepts: one path component of safe characters. */
static bool good_name(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > 64 || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return false;
	for (const char *c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
		      *c == '_' || *c == '.'))
			return false;
	return true;
}

/* Bind-mount the calling thread's namespace on /run/netns/NAME. */
static int name_netns(struct bridge_tap *b, const char **step)
{
	*step = "create " NETNS_DIR;
	if (mkdir(NETNS_DIR, 0755) != 0 && errno != EEXIST)
		return -errno;
	snprintf(b->path, sizeof b->path, NETNS_DIR "/%s", b->cfg.netns);
	*step = "create the namespace's name";
	int fd = open(b->path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	*step = "bind-mount the namespace on its name";
	if (mount("/proc/thread-self/ns/net", b->path, "none", MS_BIND, NULL) != 0) {
		int e = errno;
		unlink(b->path);
		return -e;
	}
	b->named = true;
	memcpy(g_netns_path, b->path, sizeof g_netns_path);
	return 0;
}

/* Everything inside the new namespace, in order; *step names what failed. */
static int setup(struct bridge_tap *b, const char **step)
{
	int rc;
	*step = "create a network namespace (unshare CLONE_NEWNET)";
	if (unshare(CLONE_NEWNET) != 0)
		return -errno;
	if (b->cfg.netns != NULL && (rc = name_netns(b, step)) < 0)
		return rc;
	/* IPv6 off before the TAP exists: no DAD, router solicitation or MLD
	 * report reaches the device, which speaks IPv4 only. ENOENT: a kernel
	 * without IPv6. */
	*step = "disable IPv6 in the namespace";
	rc = netif_write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	if (rc < 0 && rc != -ENOENT)
		return rc;
	(void)netif_write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	*step = "create a control socket";
	b->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (b->ctl_fd < 0)
		return -errno;
	*step = "bring lo up";
	if ((rc = netif_up(b->ctl_fd, "lo")) < 0)
		return rc;
	/* The TAP queue belongs to the namespace current when it is opened. */
	*step = "open /dev/net/tun";
	b->tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (b->tap_fd < 0)
		return -errno;
	*step = "create the TAP device " BRIDGE_TAP_IFNAME " (TUNSETIFF)";
	struct ifreq ifr;
	netif_ifreq(&ifr, BRIDGE_TAP_IFNAME);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(b->tap_fd, TUNSETIFF, &ifr) < 0)
		return -errno;
	*step = "set the TAP's MAC address";
	netif_ifreq(&ifr, BRIDGE_TAP_IFNAME);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, KERNEL_MAC, 6);
	if (ioctl(b->ctl_fd, SIOCSIFHWADDR, &ifr) < 0)
		return -errno;
	*step = "assign the TAP's address";
	netif_ifreq(&ifr, BRIDGE_TAP_IFNAME);
	netif_sin(&ifr.ifr_addr, b->cfg.host_ip);
	if (ioctl(b->ctl_fd, SIOCSIFADDR, &ifr) < 0)
		return -errno;
	netif_ifreq(&ifr, BRIDGE_TAP_IFNAME);
	netif_sin(&ifr.ifr_netmask, b->cfg.netmask);
	if (ioctl(b->ctl_fd, SIOCSIFNETMASK, &ifr) < 0)
		return -errno;
	*step = "bring the TAP device up";
	return netif_up(b->ctl_fd, BRIDGE_TAP_IFNAME);
}

static void port_deliver(void *ctx, const uint8_t *frame, size_t len, uint64_t now)
{
	struct bridge_tap *b = ctx;
	(void)now;
	if (len < 4 || !sim_frame_fcs_ok(frame, len)) {
		b->stats.dropped_out++;
		return;
	}
	/* The kernel's queue is full only if the kernel stopped reading: the
	 * frame is lost as on a congested wire. */
	if (write(b->tap_fd, frame, len - 4) != (ssize_t)(len - 4)) {
		b->stats.dropped_out++;
		return;
	}
	b->stats.from_device++;
}

static void remove_name(struct bridge_tap *b)
{
	if (!b->named)
		return;
	umount2(b->path, MNT_DETACH);
	unlink(b->path);
	b->named = false;
	g_netns_path[0] = '\0';
}

struct bridge_tap *bridge_tap_new(struct sim *s, struct sim_link *l, const struct bridge_tap_config *cfg, char *err,
				  size_t errcap)
{
	char why[256];
	if (bridge_tap_missing(why, sizeof why) != NULL) {
		snprintf(err, errcap, "%s", why);
		return NULL;
	}
	if (cfg->netns != NULL && !good_name(cfg->netns)) {
		snprintf(err, errcap,
			 "--netns: expected a name of letters, digits, '-', '_' and '.' (at most 64), got '%s'",
			 cfg->netns);
		return NULL;
	}
	struct bridge_tap *b = calloc(1, sizeof *b);
	if (b == NULL) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	b->sim = s;
	b->cfg = *cfg;
	b->tap_fd = b->ctl_fd = -1;
	b->saved_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	const char *step = "open /proc/thread-self/ns/net";
	int rc = b->saved_ns < 0 ? -errno : setup(b, &step);
	if (rc < 0) {
		if (rc == -EEXIST && b->cfg.netns != NULL)
			snprintf(err, errcap, "network namespace %s already exists (%s/%s); remove it with "
				 "`ip netns delete %s`, or choose another --netns",
				 b->cfg.netns, NETNS_DIR, b->cfg.netns, b->cfg.netns);
		else
			snprintf(err, errcap, "--net tap: cannot %s: %s", step, strerror(-rc));
		bridge_tap_free(b);
		return NULL;
	}
	b->port = sim_link_attach(l, port_deliver, b);
	if (b->port == NULL) {
		snprintf(err, errcap, "no port left on the device's link");
		bridge_tap_free(b);
		return NULL;
	}
	return b;
}

void bridge_tap_free(struct bridge_tap *b)
{
	if (b == NULL)
		return;
	if (b->tap_fd >= 0)
		close(b->tap_fd); /* the kernel deletes a TAP nobody holds */
	if (b->ctl_fd >= 0)
		close(b->ctl_fd);
	remove_name(b);
	if (b->saved_ns >= 0) {
		/* Back where the thread was: the namespace ends with its last user. */
		if (setns(b->saved_ns, CLONE_NEWNET) != 0)
			fprintf(stderr, "synack: cannot return to the original network namespace: %s\n",
				strerror(errno));
		close(b->saved_ns);
	}
	free(b);
}

int bridge_tap_fd(const struct bridge_tap *b)
{
	return b->tap_fd;
}

int bridge_tap_read(struct bridge_tap *b)
{
	uint8_t frame[SIM_LINK_MAX_FRAME + 64];
	for (;;) {
		ssize_t n = read(b->tap_fd, frame, sizeof frame);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (n == 0)
			return -1;
		if ((size_t)n + 4u > SIM_LINK_MAX_FRAME) {
			b->stats.dropped_in++; /* longer than the wire takes */
			continue;
		}
		size_t len = bridge_pad(frame, (size_t)n);
		b->stats.to_device++;
		sim_link_send_nofcs(b->port, frame, len, sim_now(b->sim));
	}
}

const char *bridge_tap_netns_path(const struct bridge_tap *b)
{
	return b->named ? b->path : NULL;
}

const struct bridge_stats *bridge_tap_stats(const struct bridge_tap *b)
{
	return &b->stats;
}

void bridge_tap_emergency_cleanup(void)
{
	if (g_netns_path[0] == '\0')
		return;
	umount2(g_netns_path, MNT_DETACH);
	unlink(g_netns_path);
	g_netns_path[0] = '\0';
}
