/*
 * fw_config.h - the identity and services a firmware image is built with.
 * Every value is a build option: CMake turns -DSYNACK_FW_MAC=02:53:4e:41:43:4b,
 * -DSYNACK_FW_IP=192.168.1.200, -DSYNACK_FW_NETMASK=..., -DSYNACK_FW_GATEWAY=...
 * into the FW_* defines below (firmware/CMakeLists.txt); a plain -DFW_IP=...
 * on the compiler's command line works too. Two boards on one LAN need two
 * images with different MACs and addresses.
 */
#ifndef FIRMWARE_FW_CONFIG_H
#define FIRMWARE_FW_CONFIG_H

#include <stdint.h>

#define FW_IPV4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* Locally administered MAC 02:53:4e:41:43:4b ("SNACK"). */
#ifndef FW_MAC
#define FW_MAC {0x02, 0x53, 0x4e, 0x41, 0x43, 0x4b}
#endif
/* IPv4 configuration, as host-order integers. */
#ifndef FW_IP
#define FW_IP FW_IPV4(192, 168, 1, 200)
#endif
#ifndef FW_NETMASK
#define FW_NETMASK FW_IPV4(255, 255, 255, 0)
#endif
#ifndef FW_GATEWAY
#define FW_GATEWAY FW_IPV4(192, 168, 1, 1) /* 0 = none */
#endif
/* TCP ports of the two services. */
#ifndef FW_ECHO_PORT
#define FW_ECHO_PORT 8888u
#endif
/* The HTTP status page (core/apps/http_status.c) on FW_HTTP_PORT: 1 by
 * default; 0 leaves it out of a small image (bench/README.md has what it
 * costs), port 80 then refused with RST like any closed port. */
#ifndef FW_HTTP
#define FW_HTTP 1
#endif
#ifndef FW_HTTP_PORT
#define FW_HTTP_PORT 80u
#endif

/* The source the image was built from (firmware/CMakeLists.txt writes
 * fw_build_info.h on every build); "unknown" outside a git tree. */
#ifndef FW_BUILD_COMMIT
#define FW_BUILD_COMMIT "unknown"
#endif

#endif /* FIRMWARE_FW_CONFIG_H */
