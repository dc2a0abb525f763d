/*
 * dut_tap_v6.c - IPv6 runs of the tap DUT (packetdrill's --ip_version=ipv6):
 * the namespace's IPv6 set-up, and the IPv6 frames from tun0: the runner's
 * datagrams translated (ip6_xlate.c), Neighbour Discovery answered here,
 * as ARP is for IPv4 (dut_tap.c): a Neighbor Solicitation for any address
 * but the DUT's gets a solicited Neighbor Advertisement with the peer's
 * MAC (RFC 4861 7.2.4); it and the DUT's other ND and MLD messages never
 * reach the runner.
 */
#define _GNU_SOURCE

#include "dut_tap_v6.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire/eth.h"
#include "wire/ipv6.h"

#define ICMP6_NS 135u
#define ICMP6_NA 136u
#define ND_OPT_TARGET_LLA 2u

/* struct in6_ifreq (linux/ipv6.h, which clashes with netinet/in.h). */
struct v6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

/* A Neighbor Solicitation in an Ethernet frame: answered with an
 * advertisement (RFC 4861 4.4, 7.2.4: solicited, override, the target
 * link-layer address option) unless it asks for the DUT's own address. */
static void answer_ns(struct dut_tap *t, const uint8_t *frame, size_t len, const struct ipv6_repr *r)
{
	const uint8_t *ns = frame + ETH_HDR_LEN + r->hdr_len;
	size_t n = (size_t)IPV6_HDR_LEN + r->payload_len - r->hdr_len;
	static const uint8_t unspec[16];
	if (n < 24u || r->hop_limit != 255u || memcmp(ns + 8, t->v6map.dut_ip6, 16) == 0 ||
	    memcmp(r->src, unspec, 16) == 0 || len < ETH_HDR_LEN + IPV6_HDR_LEN) {
		t->noise_dropped++;
		return;
	}
	uint8_t buf[VNET_HDR_LEN + ETH_HDR_LEN + IPV6_HDR_LEN + 32];
	memset(buf, 0, sizeof buf);
	uint8_t *e = buf + VNET_HDR_LEN, *ip = e + ETH_HDR_LEN, *na = ip + IPV6_HDR_LEN;
	memcpy(e, frame + 6, 6);
	memcpy(e + 6, t->peer_mac, 6);
	wire_put16(e + 12, ETH_TYPE_IPV6);
	na[0] = ICMP6_NA;
	wire_put32(na + 4, 0x60000000u); /* S and O */
	memcpy(na + 8, ns + 8, 16);
	na[24] = ND_OPT_TARGET_LLA;
	na[25] = 1;
	memcpy(na + 26, t->peer_mac, 6);
	ip6_xlate_header(ip, 0, 32, IPV6_NH_ICMPV6, 255, ns + 8, r->src);
	wire_put16(na + 2, ip6_xlate_csum(ns + 8, r->src, IPV6_NH_ICMPV6, na, 32));
	dut_tap_capture(t, e, sizeof buf - VNET_HDR_LEN);
	if (write(t->tap_fd, buf, sizeof buf) > 0)
		t->nd_replies++;
}

int dut_tap_v6_frame(struct dut_tap *t, const uint8_t *frame, size_t len, struct dut_packet *out)
{
	struct ipv6_repr r;
	if (len < ETH_HDR_LEN || ipv6_parse(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, &r) != WIRE_OK) {
		t->noise_dropped++;
		return 0;
	}
	const uint8_t *l4 = frame + ETH_HDR_LEN + r.hdr_len;
	bool has_type = r.proto == IPV6_NH_ICMPV6 && (size_t)IPV6_HDR_LEN + r.payload_len > r.hdr_len;
	if (has_type && l4[0] == ICMP6_NS) {
		answer_ns(t, frame, len, &r);
		return 0;
	}
	/* Router and neighbour discovery (133..137), MLD (130..132, 143),
	 * and anything multicast: the DUT's own housekeeping. */
	if ((has_type && ((l4[0] >= 130u && l4[0] <= 137u) || l4[0] == 143u)) || r.dst[0] == 0xffu ||
	    (frame[0] & 1u)) {
		t->noise_dropped++;
		return 0;
	}
	int k = ip6_xlate_to4(&t->v6map, frame + ETH_HDR_LEN, len - ETH_HDR_LEN, out->data, sizeof out->data);
	if (k <= 0) {
		t->noise_dropped++;
		return 0;
	}
	out->len = (size_t)k;
	return 1;
}

int dut_tap_v6_setup_pre(struct dut_tap *t, const char **step)
{
	(void)t;
	/* Before tun0 exists, so it inherits them: no DAD (the address is
	 * usable at once, RFC 4862 5.4: DupAddrDetectTransmits 0), no router
	 * solicitations and no router advertisements taken, no link-local
	 * address (addr_gen_mode 1), as none of them belongs to a script. */
	static const char *const names[][2] = {
		{"net.ipv6.conf.default.disable_ipv6", "0"}, {"net.ipv6.conf.all.disable_ipv6", "0"},
		{"net.ipv6.conf.default.accept_dad", "0"}, {"net.ipv6.conf.all.accept_dad", "0"},
		{"net.ipv6.conf.default.dad_transmits", "0"}, {"net.ipv6.conf.default.router_solicitations", "0"},
		{"net.ipv6.conf.default.accept_ra", "0"}, {"net.ipv6.conf.default.addr_gen_mode", "1"},
	};
	*step = "set up IPv6 (net.ipv6.conf.default.*)";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int rc = dut_tap_write_sysctl_in_ns(names[i][0], names[i][1]);
		if (rc < 0 && i < 2)
			return rc == -ENOENT ? -EAFNOSUPPORT : rc;
	}
	return 0;
}

/* A new address starts tentative even with DAD off: the kernel clears
 * IFA_F_TENTATIVE from its DAD work item, a moment after SIOCSIFADDR
 * returns, and bind() to a tentative address fails with EADDRNOTAVAIL
 * (seen about one run in ten on a loaded machine). Wait until a bind to
 * it succeeds, at most about a second. */
static int wait_usable(struct dut_tap *t, const char **step)
{
	struct sockaddr_in6 sa;
	int rc = -EADDRNOTAVAIL;

	*step = "wait for the DUT's IPv6 address to leave the tentative state";
	memset(&sa, 0, sizeof sa);
	sa.sin6_family = AF_INET6;
	memcpy(&sa.sin6_addr, t->v6map.dut_ip6, 16);
	for (int i = 0; i < 1000 && rc == -EADDRNOTAVAIL; i++) {
		int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		rc = bind(fd, (const struct sockaddr *)&sa, sizeof sa) == 0 ? 0 : -errno;
		close(fd);
		if (rc == -EADDRNOTAVAIL)
			usleep(1000);
	}
	return rc;
}

int dut_tap_v6_setup(struct dut_tap *t, const char **step)
{
	int rc = 0;
	*step = "create an IPv6 control socket";
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	*step = "assign the DUT's IPv6 address";
	struct v6_ifreq ifr6;
	memset(&ifr6, 0, sizeof ifr6);
	memcpy(&ifr6.addr, t->v6map.dut_ip6, 16);
	ifr6.prefixlen = 64;
	ifr6.ifindex = t->ifindex;
	if (ioctl(fd, SIOCSIFADDR, &ifr6) < 0)
		goto fail;
	/* A default route out of tun0, no gateway: the peer is on-link, its
	 * neighbour solicitations are answered in dut_tap_v6_frame(). */
	*step = "add the IPv6 default route";
	struct in6_rtmsg rt;
	memset(&rt, 0, sizeof rt);
	rt.rtmsg_dst_len = 0;
	rt.rtmsg_flags = RTF_UP;
	rt.rtmsg_metric = 1;
	rt.rtmsg_ifindex = t->ifindex;
	if (ioctl(fd, SIOCADDRT, &rt) < 0)
		goto fail;
	close(fd);
	return wait_usable(t, step);
fail:
	rc = -errno;
	close(fd);
	return rc;
}
