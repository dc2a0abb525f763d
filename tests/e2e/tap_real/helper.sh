#!/bin/sh
# Run by shell.pkt from this folder (the script's), inside the DUT's
# namespace: the device there is packetdrill's tun0.
ip link show tun0 >/dev/null
