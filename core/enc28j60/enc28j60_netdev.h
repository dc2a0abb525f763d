/*
 * enc28j60_netdev.h - the ENC28J60 driver behind the stack's device table
 * (netdev.h). The stack sees a struct netdev; nothing else.
 */
#ifndef CORE_ENC28J60_NETDEV_H
#define CORE_ENC28J60_NETDEV_H

#include "enc28j60.h"
#include "netdev.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Point nd at the driver instance d (already initialised with enc_init()).
 * Device memory addresses the stack uses (mem_write/mem_read/
 * tx_copy_from_mem) are offsets into the driver's spare area, so address 0
 * is enc_spare_start(d). */
void enc_netdev_bind(struct netdev *nd, struct enc_dev *d);

#ifdef __cplusplus
}
#endif
#endif /* CORE_ENC28J60_NETDEV_H */
