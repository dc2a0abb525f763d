/*
 * dut_tap.c - the tap DUT adapter: the Linux kernel's own TCP/IP stack as
 * the reference device under test.
 *
 * open() makes a fresh, anonymous network namespace (unshare(CLONE_NEWNET)
 * in the calling thread, which then setns()es straight back), and inside it
 * a TAP device (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR) named tun0 (packetdrill's name) with a fixed MAC,
 * dut_ip/24, a default route out of it, a permanent ARP entry for the peer,
 * IPv6 disabled (no router solicitations or ND noise) and the sysctls the
 * profile asks for. Only the namespace fd, the TAP fd and sockets created
 * inside keep the namespace alive, so close() (or a crash) leaves nothing
 * behind: no `ip netns` name, no device in the caller's namespace. Nothing
 * here can reach any other namespace; every frame Linux sends ends in the
 * TAP queue we read.
 *
 * Call chain: runner -> dut_ops -> inject(): IPv4 datagram wrapped in
 * Ethernet (peer MAC -> DUT MAC) and written to the TAP fd, where Linux
 * receives it as from a wire; advance(): frames Linux transmits are read
 * from the TAP fd, ARP requests answered with the peer MAC, non-IPv4 and
 * IPv4 multicast/broadcast noise dropped (counted), IPv4 unicast handed
 * back. Time is real: now() is CLOCK_MONOTONIC since open, a frame's time
 * is when we read it (we read it as soon as it is queued while the runner
 * waits in advance()). Application actions live in dut_tap_sock.c.
 *
 * Profiles: Linux always applies RFC 5961 (challenge ACKs for in-window
 * RST and SYN, ACK range check; no sysctl turns it off) so that bit is
 * fixed on; RFC 1337 (ignore RST in TIME-WAIT) follows the per-namespace
 * net.ipv4.tcp_rfc1337, set from the profile. Everything else keeps Linux
 * defaults (timestamps, SACK, window scaling) so packetdrill-style Linux
 * scripts match, except where kernels differ by version or host tuning:
 * tcp_rmem/tcp_wmem are pinned to the classic defaults (window scale 7)
 * and tcp_syn_linear_timeouts to 0 (exponential SYN backoff). Scripts may
 * change any net.* sysctl through the sysctl op. A script that sets up
 * its namespace itself (a packetdrill script with shell lines, whose
 * defaults.sh sets the rest) gets a fresh namespace's values instead
 * (dut_config.fresh_sysctls), as packetdrill's namespace has them.
 *
 * Frames carry a virtio-net header (IFF_VNET_HDR) and the device has
 * packetdrill's offloads (TUNSETOFFLOAD: checksum, TSO4/6, TSO_ECN), so
 * Linux hands over TSO super-segments up to 64 KiB (max_pkt) and leaves
 * checksums to us (read_frame fills them in). Real system calls, shell
 * lines and TCP_INFO for %{ }% blocks: tap_syscall.c, tap_tcpinfo.c.
 */
#define _GNU_SOURCE

#include "dut_tap.h"
#include "dut_tap_priv.h"
#include "netif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dut_tap_v6.h"
#include "tap_syscall.h"
#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/ipv4.h"

#define CAP_BIT_NET_ADMIN 12
#define CAP_BIT_SYS_ADMIN 21
#define VNET_LEN sizeof(struct virtio_net_hdr)
_Static_assert(sizeof(struct virtio_net_hdr) == VNET_HDR_LEN, "virtio-net header");
/* An IPv6 run's datagram is 20 bytes longer than the runner's. */
#define FRAME_MAX (VNET_LEN + ETH_HDR_LEN + DUT_MAX_SUPER_PKT + 64u)

/* Locally administered, fixed: captures are comparable run to run. */
static const uint8_t dut_tap_mac_dut[6] = {0x02, 0x53, 0x59, 0x4e, 0x00, 0x01};
static const uint8_t dut_tap_mac_peer[6] = {0x02, 0x53, 0x59, 0x4e, 0x00, 0x02};

static struct dut_tap *priv(struct dut *d)
{
	return d->priv;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The DUT clock: ns since open. */
uint64_t dut_tap_clock(const struct dut_tap *t)
{
	return mono_ns() - t->t0;
}

/* Move the calling thread into the DUT's namespace; *saved receives the
 * thread's own namespace for dut_tap_ns_leave(). Only the calling thread
 * moves (network namespaces are per thread), and only for the duration of
 * one socket()/open(): sockets and TAP queues stay bound to the namespace
 * they were created in. */
int dut_tap_ns_enter(const struct dut_tap *t, int *saved)
{
	*saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return -errno;
	if (setns(t->ns_fd, CLONE_NEWNET) < 0) {
		int e = errno;
		close(*saved);
		*saved = -1;
		return -e;
	}
	return 0;
}

void dut_tap_ns_leave(int saved)
{
	if (saved < 0)
		return;
	if (setns(saved, CLONE_NEWNET) < 0) {
		/* The thread would stay in the DUT's namespace and every later
		 * socket of the process would land there: stop rather than
		 * carry on somewhere unexpected. Only fails if the kernel
		 * revoked CAP_SYS_ADMIN mid-run. */
		fprintf(stderr, "tap DUT: cannot return to the original network namespace: %s\n",
			strerror(errno));
		abort();
	}
	close(saved);
}

int dut_tap_write_sysctl_in_ns(const char *name, const char *value)
{
	char path[256];
	int n = snprintf(path, sizeof path, "/proc/sys/%s", name);
	if (n < 0 || (size_t)n >= sizeof path)
		return -ENAMETOOLONG;
	for (char *c = path + 10; *c; c++)
		if (*c == '.')
			*c = '/';
	return netif_write_file(path, value);
}

/* CapEff from /proc/self/status: we need CAP_NET_ADMIN (TAP, addresses,
 * routes) and CAP_SYS_ADMIN (unshare/setns). */
static int check_caps(char err[DUT_ERR_LEN])
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff = 0;
	bool found = false;
	if (f) {
		char line[256];
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "CapEff: %llx", &eff) == 1) {
				found = true;
				break;
			}
		fclose(f);
	}
	if (!found) {
		snprintf(err, DUT_ERR_LEN,
			 "tap DUT needs CAP_NET_ADMIN and /dev/net/tun: cannot read capabilities from /proc/self/status");
		return -EPERM;
	}
	if (!(eff & (1ull << CAP_BIT_NET_ADMIN)) || !(eff & (1ull << CAP_BIT_SYS_ADMIN))) {
		snprintf(err, DUT_ERR_LEN,
			 "tap DUT needs CAP_NET_ADMIN and /dev/net/tun: missing %s (run as root)",
			 !(eff & (1ull << CAP_BIT_NET_ADMIN)) ? "CAP_NET_ADMIN" : "CAP_SYS_ADMIN");
		return -EPERM;
	}
	struct stat st;
	if (stat("/dev/net/tun", &st) < 0 || !S_ISCHR(st.st_mode)) {
		snprintf(err, DUT_ERR_LEN,
			 "tap DUT needs CAP_NET_ADMIN and /dev/net/tun: /dev/net/tun %s",
			 errno == ENOENT ? "does not exist" : "is not a character device");
		return -ENODEV;
	}
	return 0;
}

/* Everything done inside the new namespace, in order. `step` names what
 * failed for the error message. */
static int setup_in_ns(struct dut_tap *t, const char **step)
{
	char buf[64];
	int rc;

	/* IPv6 off before the device exists, so it never sends a router
	 * solicitation, DAD or MLD report. ENOENT: no IPv6 in this kernel. */
	*step = "disable IPv6";
	if (t->cfg.ip_version == DUT_IP_V6) {
		if ((rc = dut_tap_v6_setup_pre(t, step)) < 0)
			return rc;
	} else {
		rc = dut_tap_write_sysctl_in_ns("net.ipv6.conf.default.disable_ipv6", "1");
		if (rc < 0 && rc != -ENOENT)
			return rc;
		(void)dut_tap_write_sysctl_in_ns("net.ipv6.conf.all.disable_ipv6", "1");
	}

	*step = "set net.ipv4.tcp_rfc1337";
	rc = dut_tap_write_sysctl_in_ns("net.ipv4.tcp_rfc1337",
					(t->cfg.profile & DUT_PROFILE_RFC1337) ? "1" : "0");
	if (rc < 0)
		return rc;
	/* Pin the receive/send buffer limits to Linux's long-standing
	 * defaults: the window scale Linux offers follows tcp_rmem's max
	 * (6 MB -> wscale 7, what packetdrill's Linux scripts expect), and
	 * newer kernels or tuned hosts raise it (32 MB -> wscale 10). Same
	 * options on every host; scripts may still change them (sysctl op). */
	if (!t->cfg.fresh_sysctls) {
		*step = "set net.ipv4.tcp_rmem";
		rc = dut_tap_write_sysctl_in_ns("net.ipv4.tcp_rmem", "4096 131072 6291456");
		if (rc < 0)
			return rc;
		*step = "set net.ipv4.tcp_wmem";
		rc = dut_tap_write_sysctl_in_ns("net.ipv4.tcp_wmem", "4096 16384 4194304");
		if (rc < 0)
			return rc;
	}
	/* Newer kernels retry SYNs at linear 1 s intervals first
	 * (tcp_syn_linear_timeouts, default 4); the classic exponential
	 * backoff (1, 3, 7 s) is what Linux scripts expect. ENOENT: a kernel
	 * without it already backs off exponentially. */
	*step = "set net.ipv4.tcp_syn_linear_timeouts";
	rc = t->cfg.fresh_sysctls ? 0 : dut_tap_write_sysctl_in_ns("net.ipv4.tcp_syn_linear_timeouts", "0");
	if (rc < 0 && rc != -ENOENT)
		return rc;
	/* Linux rate-limits challenge ACKs (1000/s before 6.0, with a random
	 * component): lift the limit so a script never sees one go missing. */
	(void)dut_tap_write_sysctl_in_ns("net.ipv4.tcp_challenge_ack_limit", "2147483647");

	/* The TAP queue binds to the namespace current when /dev/net/tun is
	 * opened, so open it in here. */
	*step = "open /dev/net/tun";
	t->tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->tap_fd < 0)
		return -errno;
	*step = "create the TAP device (TUNSETIFF)";
	struct ifreq ifr;
	netif_ifreq(&ifr, DUT_TAP_IFNAME);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(t->tap_fd, TUNSETIFF, &ifr) < 0)
		return -errno;
	/* The offloads packetdrill gives its tun device (netdev.c), like a
	 * typical Ethernet NIC's: checksum and TSO, so Linux hands over the
	 * super-segments its scripts expect (read_frame() fills in the
	 * checksums the kernel left to the "NIC"). */
	*step = "set the TAP offloads (TUNSETOFFLOAD)";
	if (ioctl(t->tap_fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)) < 0)
		return -errno;

	*step = "create a control socket";
	t->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (t->ctl_fd < 0)
		return -errno;
	*step = "create a sock_diag socket";
	t->diag_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (t->diag_fd < 0)
		return -errno;

	*step = "set the TAP MAC address";
	netif_ifreq(&ifr, DUT_TAP_IFNAME);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, t->dut_mac, 6);
	if (ioctl(t->ctl_fd, SIOCSIFHWADDR, &ifr) < 0)
		return -errno;
	snprintf(buf, sizeof buf, "net.ipv6.conf.%s.disable_ipv6", DUT_TAP_IFNAME);
	(void)dut_tap_write_sysctl_in_ns(buf, t->cfg.ip_version == DUT_IP_V6 ? "0" : "1");
	if (t->cfg.mtu != 0) {
		*step = "set the TAP MTU";
		netif_ifreq(&ifr, DUT_TAP_IFNAME);
		ifr.ifr_mtu = t->cfg.mtu;
		if (ioctl(t->ctl_fd, SIOCSIFMTU, &ifr) < 0)
			return -errno;
	}

	*step = "assign the DUT address";
	netif_ifreq(&ifr, DUT_TAP_IFNAME);
	netif_sin(&ifr.ifr_addr, t->cfg.dut_ip);
	if (ioctl(t->ctl_fd, SIOCSIFADDR, &ifr) < 0)
		return -errno;
	netif_ifreq(&ifr, DUT_TAP_IFNAME);
	netif_sin(&ifr.ifr_netmask, 0xffffff00u);
	if (ioctl(t->ctl_fd, SIOCSIFNETMASK, &ifr) < 0)
		return -errno;

	*step = "bring lo up";
	if ((rc = netif_up(t->ctl_fd, "lo")) < 0)
		return rc;
	*step = "bring the TAP device up";
	if ((rc = netif_up(t->ctl_fd, DUT_TAP_IFNAME)) < 0)
		return rc;
	t->ifindex = (int)if_nametoindex(DUT_TAP_IFNAME);
	if (t->cfg.ip_version == DUT_IP_V6 && (rc = dut_tap_v6_setup(t, step)) < 0)
		return rc;

	/* Default route out of the TAP, no gateway: any peer address a
	 * script uses is on-link, Linux ARPs for it and we answer. */
	*step = "add the default route";
	struct rtentry rt;
	memset(&rt, 0, sizeof rt);
	netif_sin(&rt.rt_dst, 0);
	netif_sin(&rt.rt_genmask, 0);
	rt.rt_flags = RTF_UP;
	char dev[IFNAMSIZ];
	snprintf(dev, sizeof dev, "%s", DUT_TAP_IFNAME);
	rt.rt_dev = dev;
	if (ioctl(t->ctl_fd, SIOCADDRT, &rt) < 0)
		return -errno;

	/* Permanent neighbour entry for the configured peer: the first SYN
	 * leaves without an ARP round trip and no reachability probes show up
	 * mid-script. Other addresses still get ARP answers in advance(). */
	*step = "add the peer's ARP entry";
	struct arpreq ar;
	memset(&ar, 0, sizeof ar);
	netif_sin(&ar.arp_pa, t->cfg.peer_ip);
	ar.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(ar.arp_ha.sa_data, t->peer_mac, 6);
	ar.arp_flags = ATF_PERM | ATF_COM;
	snprintf(ar.arp_dev, sizeof ar.arp_dev, "%s", DUT_TAP_IFNAME);
	if (t->cfg.peer_ip != 0 && ioctl(t->ctl_fd, SIOCSARP, &ar) < 0)
		return -errno;
	return 0;
}

static void release(struct dut_tap *t)
{
	tap_sys_free(t->sys);
	t->sys = NULL;
	dut_tap_sock_close_all(t);
	int *fds[] = {&t->diag_fd, &t->ctl_fd, &t->tap_fd, &t->ns_fd};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	if (t->pcap_on)
		(void)sim_pcap_close(&t->pcap, NULL, 0);
	t->pcap_on = false;
	free(t->frame);
	t->frame = NULL;
}

static int tap_open(struct dut *d, const struct dut_config *cfg, char err[DUT_ERR_LEN])
{
	d->priv = NULL;
	int rc = check_caps(err);
	if (rc < 0)
		return rc;
	if (!(cfg->profile & DUT_PROFILE_RFC5961)) {
		snprintf(err, DUT_ERR_LEN,
			 "tap DUT: Linux always follows RFC 5961 (challenge ACKs); a profile without rfc5961 cannot run on it");
		return -EINVAL;
	}
	if (cfg->dut_ip == 0 || cfg->dut_ip == cfg->peer_ip) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: dut_ip must be set and differ from peer_ip");
		return -EINVAL;
	}
	struct dut_tap *t = calloc(1, sizeof *t);
	if (t == NULL) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: out of memory");
		return -ENOMEM;
	}
	t->cfg = *cfg;
	t->cfg.pcap_path = NULL;
	t->v6map.dut_ip = cfg->dut_ip;
	t->v6map.peer_ip = cfg->peer_ip;
	memcpy(t->v6map.dut_ip6, cfg->dut_ip6, 16);
	memcpy(t->v6map.peer_ip6, cfg->peer_ip6, 16);
	t->frame = malloc(FRAME_MAX);
	if (t->frame == NULL) {
		free(t);
		snprintf(err, DUT_ERR_LEN, "tap DUT: out of memory");
		return -ENOMEM;
	}
	t->ns_fd = t->tap_fd = t->ctl_fd = t->diag_fd = -1;
	t->t0 = mono_ns();
	memcpy(t->dut_mac, dut_tap_mac_dut, 6);
	memcpy(t->peer_mac, dut_tap_mac_peer, 6);
	dut_tap_sock_init(t);

	if (cfg->pcap_path) {
		if (sim_pcap_open(&t->pcap, cfg->pcap_path, err, DUT_ERR_LEN) < 0) {
			free(t->frame);
			free(t);
			return -EIO;
		}
		t->pcap.strip_fcs = false; /* TAP frames carry no FCS */
		t->pcap_on = true;
	}

	int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0) {
		rc = -errno;
		snprintf(err, DUT_ERR_LEN, "tap DUT: cannot open /proc/thread-self/ns/net: %s",
			 strerror(-rc));
		release(t);
		free(t);
		return rc;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		rc = -errno;
		close(saved);
		snprintf(err, DUT_ERR_LEN,
			 "tap DUT needs CAP_NET_ADMIN and /dev/net/tun: cannot create a network namespace: %s",
			 strerror(-rc));
		release(t);
		free(t);
		return rc;
	}
	const char *step = "open the new namespace";
	t->ns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	rc = t->ns_fd < 0 ? -errno : setup_in_ns(t, &step);
	dut_tap_ns_leave(saved);
	if (rc < 0) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: cannot %s: %s", step, strerror(-rc));
		release(t);
		free(t);
		return rc;
	}
	dut_tap_urg_start(t);
	/* The clock starts when the DUT is ready: a script's time 0 is not
	 * eaten by namespace setup. */
	t->t0 = mono_ns();
	t->sys = tap_sys_new(t->ns_fd, t->t0, err);
	if (t->sys == NULL) {
		release(t);
		free(t);
		return -ENOMEM;
	}
	d->priv = t;
	return 0;
}

static void tap_close(struct dut *d)
{
	struct dut_tap *t = priv(d);
	if (t == NULL)
		return;
	release(t);
	free(t);
	d->priv = NULL;
}

static uint64_t tap_now(struct dut *d)
{
	return dut_tap_clock(priv(d));
}

void dut_tap_capture(struct dut_tap *t, const uint8_t *frame, size_t len)
{
	if (t->pcap_on)
		sim_pcap_write(&t->pcap, frame, len, dut_tap_clock(t));
}

static int tap_inject(struct dut *d, const uint8_t *ip, size_t len)
{
	struct dut_tap *t = priv(d);
	uint8_t *frame = t->frame;
	if (len > DUT_MAX_SUPER_PKT)
		return -EMSGSIZE;
	struct eth_repr e;
	memcpy(e.dst, t->dut_mac, 6);
	memcpy(e.src, t->peer_mac, 6);
	e.ethertype = ETH_TYPE_IPV4;
	/* A zero virtio header: checksums complete, no GSO (as packetdrill
	 * writes its segments); with --mss, a TCP datagram asks for GSO
	 * segments of that size, as packetdrill's tun write does (gso_type
	 * TCPV4 and gso_size only, whatever the datagram's length). */
	memset(frame, 0, VNET_LEN);
	if (t->cfg.gso_mss != 0 && len >= 20 && ip[9] == 6 /* TCP */) {
		struct virtio_net_hdr h;
		memset(&h, 0, sizeof h);
		h.gso_type = t->cfg.ip_version == DUT_IP_V6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		h.gso_size = t->cfg.gso_mss;
		memcpy(frame, &h, sizeof h);
	}
	size_t wlen = len;
	if (t->cfg.ip_version == DUT_IP_V6) {
		int k = ip6_xlate_to6(&t->v6map, ip, len, frame + VNET_LEN + ETH_HDR_LEN, FRAME_MAX - VNET_LEN - ETH_HDR_LEN);
		if (k < 0)
			return k;
		wlen = (size_t)k;
		e.ethertype = ETH_TYPE_IPV6;
	} else {
		memcpy(frame + VNET_LEN + ETH_HDR_LEN, ip, len);
	}
	(void)eth_emit(&e, frame + VNET_LEN, FRAME_MAX - VNET_LEN);
	dut_tap_capture(t, frame + VNET_LEN, ETH_HDR_LEN + wlen);
	dut_tap_injecting(t, ip, len);
	t->started = true;
	ssize_t w = write(t->tap_fd, frame, VNET_LEN + ETH_HDR_LEN + wlen);
	if (w < 0)
		return -errno;
	t->frames_in++;
	dut_tap_injected(t, ip, len);
	return 0;
}

/* Linux asks who has some address other than its own: that is the peer
 * (or another address a script injects from). Answer with the peer MAC. */
static void answer_arp(struct dut_tap *t, const uint8_t *frame, size_t len)
{
	struct arp_repr a;
	if (arp_parse(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, &a) != WIRE_OK ||
	    a.op != ARP_OP_REQUEST || a.tpa == t->cfg.dut_ip || a.tpa == 0) {
		t->noise_dropped++;
		return;
	}
	uint8_t vout[VNET_LEN + ETH_HDR_LEN + ARP_LEN];
	uint8_t *out = vout + VNET_LEN;
	memset(vout, 0, VNET_LEN);
	struct eth_repr e;
	memcpy(e.dst, a.sha, 6);
	memcpy(e.src, t->peer_mac, 6);
	e.ethertype = ETH_TYPE_ARP;
	(void)eth_emit(&e, out, ETH_HDR_LEN + ARP_LEN);
	struct arp_repr r;
	r.op = ARP_OP_REPLY;
	memcpy(r.sha, t->peer_mac, 6);
	r.spa = a.tpa;
	memcpy(r.tha, a.sha, 6);
	r.tpa = a.spa;
	(void)arp_emit(&r, out + ETH_HDR_LEN, ARP_LEN);
	dut_tap_capture(t, out, ETH_HDR_LEN + ARP_LEN);
	if (write(t->tap_fd, vout, sizeof vout) > 0)
		t->arp_replies++;
}

/* A frame whose checksum Linux left to the device (the virtio header's
 * NEEDS_CSUM, with TUN_F_CSUM on): the field holds the pseudo-header sum,
 * the Internet checksum over [csum_start, end) completes it (RFC 1071). */
static void fill_csum(const uint8_t *vnet, uint8_t *frame, size_t len)
{
	struct virtio_net_hdr h;
	memcpy(&h, vnet, sizeof h);
	if (!(h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return;
	size_t start = h.csum_start, at = start + h.csum_offset;
	if (start >= len || at + 2 > len)
		return;
	uint32_t sum = 0;
	for (size_t i = start; i + 1 < len; i += 2)
		sum += (uint32_t)frame[i] << 8 | frame[i + 1];
	if ((len - start) & 1u)
		sum += (uint32_t)frame[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	frame[at] = (uint8_t)(c >> 8);
	frame[at + 1] = (uint8_t)c;
}

/* One frame from Linux: 1 = an IPv4 datagram for the runner in *out, 0 =
 * consumed here (ARP, noise), -EAGAIN = queue empty, other <0 = error. */
static int read_frame(struct dut_tap *t, struct dut_packet *out)
{
	uint8_t *raw = t->frame;
	ssize_t n = read(t->tap_fd, raw, FRAME_MAX);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	uint64_t now = dut_tap_clock(t);
	if ((size_t)n < VNET_LEN) {
		t->noise_dropped++;
		return 0;
	}
	uint8_t *frame = raw + VNET_LEN;
	size_t len = (size_t)n - VNET_LEN;
	fill_csum(raw, frame, len);
	if (t->pcap_on)
		sim_pcap_write(&t->pcap, frame, len, now);
	struct eth_repr e;
	if (eth_parse(frame, len, &e) != WIRE_OK) {
		t->noise_dropped++;
		return 0;
	}
	if (e.ethertype == ETH_TYPE_ARP) {
		answer_arp(t, frame, len);
		return 0;
	}
	if (e.ethertype == ETH_TYPE_IPV6 && t->cfg.ip_version == DUT_IP_V6) {
		if (dut_tap_v6_frame(t, frame, len, out) == 0)
			return 0;
		out->t = now;
		t->frames_out++;
		return 1;
	}
	struct ipv4_repr ip;
	if (e.ethertype != ETH_TYPE_IPV4 || eth_is_multicast(e.dst) ||
	    ipv4_parse(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, &ip) != WIRE_OK ||
	    (ip.dst >> 28) == 0xeu || ip.dst == 0xffffffffu) {
		t->noise_dropped++;
		return 0;
	}
	out->t = now;
	out->len = ip.total_len;
	memcpy(out->data, frame + ETH_HDR_LEN, ip.total_len);
	t->frames_out++;
	return 1;
}

static int tap_advance(struct dut *d, uint64_t until, struct dut_packet *out)
{
	struct dut_tap *t = priv(d);
	unsigned events = t->ev_n;
	for (;;) {
		dut_tap_scan(t);
		int rc = read_frame(t, out);
		if (rc == 1)
			return 1;
		if (rc < 0 && rc != -EAGAIN)
			return rc;
		if (rc == 0)
			continue;
		/* A new application event: let the runner look (dut.h). */
		if (t->ev_n > events)
			return 0;
		uint64_t now = dut_tap_clock(t);
		if (now >= until)
			return 0;
		/* Wake for a frame, or every 10 ms to notice socket events
		 * (a send that now fits, a connect that completed). */
		uint64_t wait = until - now;
		if (wait > 10000000u)
			wait = 10000000u;
		struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
		struct pollfd p = {t->tap_fd, POLLIN, 0};
		if (ppoll(&p, 1, &ts, NULL) < 0 && errno != EINTR)
			return -errno;
	}
}

static int tap_sysctl(struct dut *d, const char *name, const char *value, char err[DUT_ERR_LEN])
{
	struct dut_tap *t = priv(d);
	/* net.* only: those are per namespace (or invisible from a child
	 * namespace), so nothing outside the DUT can be changed. */
	if (strncmp(name, "net.", 4) != 0 || strstr(name, "..") || strchr(name, '/')) {
		snprintf(err, DUT_ERR_LEN, "tap DUT: sysctl '%s' is not a per-namespace net.* name", name);
		return -EPERM;
	}
	int saved;
	int rc = dut_tap_ns_enter(t, &saved);
	if (rc == 0) {
		rc = dut_tap_write_sysctl_in_ns(name, value);
		dut_tap_ns_leave(saved);
	}
	if (rc < 0)
		snprintf(err, DUT_ERR_LEN, "tap DUT: cannot set %s=%s: %s", name, value, strerror(-rc));
	return rc;
}

/* ---- real system calls, shell lines, TCP_INFO (issue 11) ---- */

static int tap_syscall_start(struct dut *d, const struct script_syscall *sc, const struct dut_syscall_ctx *ctx,
			     char err[DUT_ERR_LEN])
{
	priv(d)->started = true;
	return tap_sys_start(priv(d)->sys, sc, ctx, err);
}

static int tap_syscall_state(struct dut *d, uint64_t *t_end)
{
	return tap_sys_state(priv(d)->sys, t_end);
}

static int tap_syscall_finish(struct dut *d, char *msg, size_t cap)
{
	return tap_sys_finish(priv(d)->sys, msg, cap);
}

static int tap_tcp_info_vars(struct dut *d, char *buf, size_t cap)
{
	return tap_sys_tcp_info(priv(d)->sys, buf, cap);
}

/* /bin/sh -c cmd in a child that enters the DUT's namespace and the
 * script's folder, as packetdrill runs its commands (it runs inside the
 * namespace run_all.py made). Its output goes to our stderr, so a report
 * on stdout (--json) stays clean. */
static int tap_shell(struct dut *d, const char *cmd, const char *dir, char err[DUT_ERR_LEN])
{
	struct dut_tap *t = priv(d);
	/* packetdrill's commands find its pid here (set_sysctls.py names
	 * its restore file after it). */
	char pidbuf[32];
	snprintf(pidbuf, sizeof pidbuf, "%d", (int)getpid());
	setenv("PACKETDRILL_PID", pidbuf, 1);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, DUT_ERR_LEN, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		if (setns(t->ns_fd, CLONE_NEWNET) < 0 || chdir(dir) < 0)
			_exit(126);
		dup2(2, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, DUT_ERR_LEN, "waitpid: %s", strerror(errno));
			return -errno;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 126) {
		snprintf(err, DUT_ERR_LEN, "cannot enter the namespace or the folder %s", dir);
		return -ENOENT;
	}
	/* Before anything else happened, this is the init command: the
	 * script's time 0 comes after it, as packetdrill starts its clock
	 * after the init command. */
	if (!t->started) {
		t->t0 = mono_ns();
		tap_sys_set_t0(t->sys, t->t0);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* The Linux kernel: its own wire (options, window, timers); neither our
 * stack's numbers nor RFC 9293 where Linux deviates from it. */
static const char *const TAP_BEHAVIOURS[] = {"linux-wire", "linux-params", "linux-right-edge", NULL};

const struct dut_ops dut_tap_ops = {
	.name = "tap",
	.behaviours = TAP_BEHAVIOURS,
	.profiles_supported = DUT_PROFILE_RFC5961 | DUT_PROFILE_RFC1337,
	.profiles_fixed = DUT_PROFILE_RFC5961,
	.virtual_time = false,
	.open = tap_open,
	.close = tap_close,
	.now = tap_now,
	.inject = tap_inject,
	.advance = tap_advance,
	.app = dut_tap_app,
	.app_event = dut_tap_app_event,
	.tcp_state = dut_tap_tcp_state,
	.counter = dut_tap_counter,
	.sockopt = dut_tap_sockopt,
	.sysctl = tap_sysctl,
	.so_error = dut_tap_so_error,
	.syscall_check = tap_sys_check,
	.syscall_start = tap_syscall_start,
	.syscall_state = tap_syscall_state,
	.syscall_finish = tap_syscall_finish,
	.shell = tap_shell,
	.tcp_info_vars = tap_tcp_info_vars,
	.max_pkt = 65535,
	.inbound_gso = true,
	.ipv6 = true,
};
