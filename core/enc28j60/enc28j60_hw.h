/*
 * enc28j60_hw.h - the one ENC28J60 register map, shared by the driver in
 * core/enc28j60/ and the chip model in enc28j60_model/.
 *
 * Names follow the Microchip datasheet (DS39662E) exactly, so a reader can
 * hold this file next to the datasheet's Table 3-2. Every control register
 * constant packs three facts into one byte:
 *
 *   bits 4..0  address within the bank (0x00..0x1F)
 *   bits 6..5  bank (0..3); ignored for the common registers 0x1B..0x1F
 *   bit  7     ENC_REG_MACMII: a read (RCR) of this register clocks out a
 *              dummy byte before the data (all MAC and MII registers, and
 *              MISTAT in bank 3)
 *
 * PHY registers are not in the SPI address space; they are reached through
 * MIREGADR/MICMD/MIRD/MIWR and have their own 5-bit addresses (PHCON1 ...).
 *
 * Depends on nothing but <stdint.h>.
 */
#ifndef ENC28J60_HW_H
#define ENC28J60_HW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint8_t enc_reg_t;

#define ENC_REG_ADDR_MASK 0x1Fu
#define ENC_REG_BANK_SHIFT 5u
#define ENC_REG_BANK_MASK 0x60u
#define ENC_REG_MACMII 0x80u

#define ENC_REG(addr, bank, flags) \
	((enc_reg_t)(((addr) & ENC_REG_ADDR_MASK) | ((bank) << ENC_REG_BANK_SHIFT) | (flags)))

/* Decoders for a packed register constant. */
#define ENC_REG_ADDR(r) ((uint8_t)((r) & ENC_REG_ADDR_MASK))
#define ENC_REG_BANK(r) ((uint8_t)(((r) & ENC_REG_BANK_MASK) >> ENC_REG_BANK_SHIFT))
#define ENC_REG_IS_MACMII(r) (((r) & ENC_REG_MACMII) != 0u)
/* 0x1B..0x1F (EIE, EIR, ESTAT, ECON2, ECON1) exist in every bank. */
#define ENC_COMMON_FIRST 0x1Bu
#define ENC_REG_IS_COMMON(r) (ENC_REG_ADDR(r) >= ENC_COMMON_FIRST)

/* ---- SPI instruction set (DS Table 4-1): 3-bit opcode, 5-bit argument ---- */
#define ENC_OP_RCR 0x00u /* read control register:   000a aaaa */
#define ENC_OP_RBM 0x3Au /* read buffer memory:      0011 1010 */
#define ENC_OP_WCR 0x40u /* write control register:  010a aaaa + data */
#define ENC_OP_WBM 0x7Au /* write buffer memory:     0111 1010 + data... */
#define ENC_OP_BFS 0x80u /* bit field set:           100a aaaa + mask */
#define ENC_OP_BFC 0xA0u /* bit field clear:         101a aaaa + mask */
#define ENC_OP_SRC 0xFFu /* system reset command:    1111 1111 */
#define ENC_OP_MASK 0xE0u
#define ENC_ARG_MASK 0x1Fu

/* ---- Common registers, present in all banks ---- */
#define EIE ENC_REG(0x1B, 0, 0)
#define EIR ENC_REG(0x1C, 0, 0)
#define ESTAT ENC_REG(0x1D, 0, 0)
#define ECON2 ENC_REG(0x1E, 0, 0)
#define ECON1 ENC_REG(0x1F, 0, 0)

/* ---- Bank 0: buffer pointers and DMA ---- */
#define ERDPTL ENC_REG(0x00, 0, 0)
#define ERDPTH ENC_REG(0x01, 0, 0)
#define EWRPTL ENC_REG(0x02, 0, 0)
#define EWRPTH ENC_REG(0x03, 0, 0)
#define ETXSTL ENC_REG(0x04, 0, 0)
#define ETXSTH ENC_REG(0x05, 0, 0)
#define ETXNDL ENC_REG(0x06, 0, 0)
#define ETXNDH ENC_REG(0x07, 0, 0)
#define ERXSTL ENC_REG(0x08, 0, 0)
#define ERXSTH ENC_REG(0x09, 0, 0)
#define ERXNDL ENC_REG(0x0A, 0, 0)
#define ERXNDH ENC_REG(0x0B, 0, 0)
#define ERXRDPTL ENC_REG(0x0C, 0, 0)
#define ERXRDPTH ENC_REG(0x0D, 0, 0)
#define ERXWRPTL ENC_REG(0x0E, 0, 0)
#define ERXWRPTH ENC_REG(0x0F, 0, 0)
#define EDMASTL ENC_REG(0x10, 0, 0)
#define EDMASTH ENC_REG(0x11, 0, 0)
#define EDMANDL ENC_REG(0x12, 0, 0)
#define EDMANDH ENC_REG(0x13, 0, 0)
#define EDMADSTL ENC_REG(0x14, 0, 0)
#define EDMADSTH ENC_REG(0x15, 0, 0)
#define EDMACSL ENC_REG(0x16, 0, 0)
#define EDMACSH ENC_REG(0x17, 0, 0)
/* 0x18..0x1A reserved in bank 0 */

/* ---- Bank 1: receive filters ---- */
#define EHT0 ENC_REG(0x00, 1, 0)
#define EHT1 ENC_REG(0x01, 1, 0)
#define EHT2 ENC_REG(0x02, 1, 0)
#define EHT3 ENC_REG(0x03, 1, 0)
#define EHT4 ENC_REG(0x04, 1, 0)
#define EHT5 ENC_REG(0x05, 1, 0)
#define EHT6 ENC_REG(0x06, 1, 0)
#define EHT7 ENC_REG(0x07, 1, 0)
#define EPMM0 ENC_REG(0x08, 1, 0)
#define EPMM1 ENC_REG(0x09, 1, 0)
#define EPMM2 ENC_REG(0x0A, 1, 0)
#define EPMM3 ENC_REG(0x0B, 1, 0)
#define EPMM4 ENC_REG(0x0C, 1, 0)
#define EPMM5 ENC_REG(0x0D, 1, 0)
#define EPMM6 ENC_REG(0x0E, 1, 0)
#define EPMM7 ENC_REG(0x0F, 1, 0)
#define EPMCSL ENC_REG(0x10, 1, 0)
#define EPMCSH ENC_REG(0x11, 1, 0)
/* 0x12, 0x13 reserved */
#define EPMOL ENC_REG(0x14, 1, 0)
#define EPMOH ENC_REG(0x15, 1, 0)
/* 0x16, 0x17 reserved (EWOLIE/EWOLIR on early silicon) */
#define ERXFCON ENC_REG(0x18, 1, 0)
#define EPKTCNT ENC_REG(0x19, 1, 0)
/* 0x1A reserved */

/* ---- Bank 2: MAC and MII (every read returns a dummy byte first) ---- */
#define MACON1 ENC_REG(0x00, 2, ENC_REG_MACMII)
/* 0x01 reserved (MACON2 on early silicon) */
#define MACON3 ENC_REG(0x02, 2, ENC_REG_MACMII)
#define MACON4 ENC_REG(0x03, 2, ENC_REG_MACMII)
#define MABBIPG ENC_REG(0x04, 2, ENC_REG_MACMII)
/* 0x05 reserved */
#define MAIPGL ENC_REG(0x06, 2, ENC_REG_MACMII)
#define MAIPGH ENC_REG(0x07, 2, ENC_REG_MACMII)
#define MACLCON1 ENC_REG(0x08, 2, ENC_REG_MACMII)
#define MACLCON2 ENC_REG(0x09, 2, ENC_REG_MACMII)
#define MAMXFLL ENC_REG(0x0A, 2, ENC_REG_MACMII)
#define MAMXFLH ENC_REG(0x0B, 2, ENC_REG_MACMII)
/* 0x0C..0x11 reserved */
#define MICMD ENC_REG(0x12, 2, ENC_REG_MACMII)
/* 0x13 reserved */
#define MIREGADR ENC_REG(0x14, 2, ENC_REG_MACMII)
/* 0x15 reserved */
#define MIWRL ENC_REG(0x16, 2, ENC_REG_MACMII)
#define MIWRH ENC_REG(0x17, 2, ENC_REG_MACMII)
#define MIRDL ENC_REG(0x18, 2, ENC_REG_MACMII)
#define MIRDH ENC_REG(0x19, 2, ENC_REG_MACMII)
/* 0x1A reserved */

/* ---- Bank 3: MAC address, MII status, self-test, revision, clock ---- */
/* Datasheet order: MAADR1 is the first octet on the wire. The addresses
 * are not in octet order; this is where most drivers go wrong. */
#define MAADR5 ENC_REG(0x00, 3, ENC_REG_MACMII)
#define MAADR6 ENC_REG(0x01, 3, ENC_REG_MACMII)
#define MAADR3 ENC_REG(0x02, 3, ENC_REG_MACMII)
#define MAADR4 ENC_REG(0x03, 3, ENC_REG_MACMII)
#define MAADR1 ENC_REG(0x04, 3, ENC_REG_MACMII)
#define MAADR2 ENC_REG(0x05, 3, ENC_REG_MACMII)
#define EBSTSD ENC_REG(0x06, 3, 0)
#define EBSTCON ENC_REG(0x07, 3, 0)
#define EBSTCSL ENC_REG(0x08, 3, 0)
#define EBSTCSH ENC_REG(0x09, 3, 0)
#define MISTAT ENC_REG(0x0A, 3, ENC_REG_MACMII)
/* 0x0B..0x11 reserved */
#define EREVID ENC_REG(0x12, 3, 0)
/* 0x13, 0x14 reserved */
#define ECOCON ENC_REG(0x15, 3, 0)
/* 0x16 reserved */
#define EFLOCON ENC_REG(0x17, 3, 0)
#define EPAUSL ENC_REG(0x18, 3, 0)
#define EPAUSH ENC_REG(0x19, 3, 0)
/* 0x1A reserved */

/* ---- Bits ---- */
/* EIE */
#define EIE_INTIE 0x80u
#define EIE_PKTIE 0x40u
#define EIE_DMAIE 0x20u
#define EIE_LINKIE 0x10u
#define EIE_TXIE 0x08u
#define EIE_TXERIE 0x02u
#define EIE_RXERIE 0x01u
/* EIR */
#define EIR_PKTIF 0x40u
#define EIR_DMAIF 0x20u
#define EIR_LINKIF 0x10u
#define EIR_TXIF 0x08u
#define EIR_TXERIF 0x02u
#define EIR_RXERIF 0x01u
/* ESTAT */
#define ESTAT_INT 0x80u
#define ESTAT_BUFER 0x40u
#define ESTAT_LATECOL 0x10u
#define ESTAT_RXBUSY 0x04u
#define ESTAT_TXABRT 0x02u
#define ESTAT_CLKRDY 0x01u
/* ECON2 */
#define ECON2_AUTOINC 0x80u
#define ECON2_PKTDEC 0x40u
#define ECON2_PWRSV 0x20u
#define ECON2_VRPS 0x08u
/* ECON1 */
#define ECON1_TXRST 0x80u
#define ECON1_RXRST 0x40u
#define ECON1_DMAST 0x20u
#define ECON1_CSUMEN 0x10u
#define ECON1_TXRTS 0x08u
#define ECON1_RXEN 0x04u
#define ECON1_BSEL1 0x02u
#define ECON1_BSEL0 0x01u
#define ECON1_BSEL_MASK 0x03u
/* ERXFCON */
#define ERXFCON_UCEN 0x80u
#define ERXFCON_ANDOR 0x40u
#define ERXFCON_CRCEN 0x20u
#define ERXFCON_PMEN 0x10u
#define ERXFCON_MPEN 0x08u
#define ERXFCON_HTEN 0x04u
#define ERXFCON_MCEN 0x02u
#define ERXFCON_BCEN 0x01u
/* MACON1 */
#define MACON1_TXPAUS 0x08u
#define MACON1_RXPAUS 0x04u
#define MACON1_PASSALL 0x02u
#define MACON1_MARXEN 0x01u
/* MACON3 */
#define MACON3_PADCFG2 0x80u
#define MACON3_PADCFG1 0x40u
#define MACON3_PADCFG0 0x20u
#define MACON3_PADCFG_MASK 0xE0u
#define MACON3_TXCRCEN 0x10u
#define MACON3_PHDREN 0x08u
#define MACON3_HFRMEN 0x04u
#define MACON3_FRMLNEN 0x02u
#define MACON3_FULDPX 0x01u
/* MACON4 */
#define MACON4_DEFER 0x40u
#define MACON4_BPEN 0x20u
#define MACON4_NOBKOFF 0x10u
/* MICMD */
#define MICMD_MIISCAN 0x02u
#define MICMD_MIIRD 0x01u
/* MISTAT */
#define MISTAT_NVALID 0x04u
#define MISTAT_SCAN 0x02u
#define MISTAT_BUSY 0x01u
/* EBSTCON */
#define EBSTCON_PSV_MASK 0xE0u
#define EBSTCON_PSEL 0x10u
#define EBSTCON_TMSEL_MASK 0x0Cu
#define EBSTCON_TME 0x02u
#define EBSTCON_BISTST 0x01u

/* Per-packet transmit control byte, written at ETXST (DS Figure 7-1). */
#define ENC_TXCTRL_PHUGEEN 0x08u
#define ENC_TXCTRL_PPADEN 0x04u
#define ENC_TXCTRL_PCRCEN 0x02u
#define ENC_TXCTRL_POVERRIDE 0x01u

/* ---- PHY registers (MII addresses) and bits ---- */
#define PHCON1 0x00u
#define PHSTAT1 0x01u
#define PHID1 0x02u
#define PHID2 0x03u
#define PHCON2 0x10u
#define PHSTAT2 0x11u
#define PHIE 0x12u
#define PHIR 0x13u
#define PHLCON 0x14u

#define PHCON1_PRST 0x8000u
#define PHCON1_PLOOPBK 0x4000u
#define PHCON1_PPWRSV 0x0800u
#define PHCON1_PDPXMD 0x0100u
#define PHSTAT1_PFDPX 0x1000u
#define PHSTAT1_PHDPX 0x0800u
#define PHSTAT1_LLSTAT 0x0004u
#define PHSTAT1_JBSTAT 0x0002u
#define PHCON2_FRCLNK 0x4000u
#define PHCON2_TXDIS 0x2000u
#define PHCON2_JABBER 0x0400u
#define PHCON2_HDLDIS 0x0100u
#define PHSTAT2_TXSTAT 0x2000u
#define PHSTAT2_RXSTAT 0x1000u
#define PHSTAT2_COLSTAT 0x0800u
#define PHSTAT2_LSTAT 0x0400u
#define PHSTAT2_DPXSTAT 0x0200u
#define PHSTAT2_PLRITY 0x0020u
#define PHIE_PLNKIE 0x0010u
#define PHIE_PGEIE 0x0002u
#define PHIR_PLNKIF 0x0010u
#define PHIR_PGIF 0x0004u

/* ---- Reset values (DS Table 3-2 / 3-3) ---- */
#define ENC_RESET_ECON2 0x80u
#define ENC_RESET_ERXFCON 0xA1u
#define ENC_RESET_MAMXFL 0x0600u
#define ENC_RESET_ERDPT 0x05FAu
#define ENC_RESET_ERXST 0x05FAu
#define ENC_RESET_ERXND 0x1FFFu
#define ENC_RESET_ERXRDPT 0x05FAu
#define ENC_RESET_MACLCON1 0x0Fu
#define ENC_RESET_MACLCON2 0x37u
#define ENC_RESET_EPAUS 0x1000u
#define ENC_RESET_ECOCON 0x04u
#define ENC_RESET_PHID1 0x0083u
#define ENC_RESET_PHID2 0x1400u
#define ENC_RESET_PHLCON 0x3422u
#define ENC_RESET_PHSTAT1 (PHSTAT1_PFDPX | PHSTAT1_PHDPX)
#define ENC_EREVID_B7 0x06u

/* ---- Buffer memory ---- */
#define ENC_BUFFER_SIZE 0x2000u /* 8 KB */
#define ENC_BUFFER_LAST 0x1FFFu
#define ENC_PTR_MASK 0x1FFFu /* pointers are 13 bits wide */

/* Receive header in front of every stored frame (DS Figure 7-3). */
#define ENC_RXHDR_LEN 6u
#define ENC_RXHDR_NEXT 0u   /* next packet pointer, little-endian */
#define ENC_RXHDR_COUNT 2u  /* received byte count incl. CRC, little-endian */
#define ENC_RXHDR_STATUS 4u /* RSV bits 16..31, little-endian */

/* Receive status vector, bits 16..31 as stored at ENC_RXHDR_STATUS. */
#define ENC_RSV_LONGEVDROPEV 0x0001u /* bit 16 */
#define ENC_RSV_CARRIEREV 0x0004u    /* bit 18 */
#define ENC_RSV_CRCERR 0x0010u       /* bit 20 */
#define ENC_RSV_LENCHECKERR 0x0020u  /* bit 21 */
#define ENC_RSV_LENOUTOFRANGE 0x0040u /* bit 22 */
#define ENC_RSV_RXOK 0x0080u         /* bit 23 */
#define ENC_RSV_RXMULTICAST 0x0100u  /* bit 24 */
#define ENC_RSV_RXBROADCAST 0x0200u  /* bit 25 */
#define ENC_RSV_DRIBBLENIBBLE 0x0400u /* bit 26 */
#define ENC_RSV_RXCONTROLFRAME 0x0800u /* bit 27 */
#define ENC_RSV_RXPAUSEFRAME 0x1000u /* bit 28 */
#define ENC_RSV_RXUNKNOWNOP 0x2000u  /* bit 29 */
#define ENC_RSV_RXTYPEVLAN 0x4000u   /* bit 30 */

/* Transmit status vector: 7 bytes written at ETXND+1 (DS Table 7-1).
 * Byte offsets and bits within each byte. */
#define ENC_TSV_LEN 7u
#define ENC_TSV_BYTECNT 0u          /* bytes 0..1: frame byte count, LE */
#define ENC_TSV_B2_COLCNT_MASK 0x0Fu /* bits 16..19 collision count */
#define ENC_TSV_B2_CRCERR 0x10u     /* bit 20 */
#define ENC_TSV_B2_LENCHKERR 0x20u  /* bit 21 */
#define ENC_TSV_B2_LENOUTRANGE 0x40u /* bit 22 */
#define ENC_TSV_B2_DONE 0x80u       /* bit 23 */
#define ENC_TSV_B3_MULTICAST 0x01u  /* bit 24 */
#define ENC_TSV_B3_BROADCAST 0x02u  /* bit 25 */
#define ENC_TSV_B3_DEFER 0x04u      /* bit 26 */
#define ENC_TSV_B3_EXDEFER 0x08u    /* bit 27 */
#define ENC_TSV_B3_EXCOLL 0x10u     /* bit 28 */
#define ENC_TSV_B3_LATECOL 0x20u    /* bit 29 */
#define ENC_TSV_B3_GIANT 0x40u      /* bit 30 */
#define ENC_TSV_B3_UNDERRUN 0x80u   /* bit 31 */
#define ENC_TSV_WIRECNT 4u          /* bytes 4..5: total bytes on the wire, LE */
#define ENC_TSV_B6_CONTROL 0x01u    /* bit 48 */
#define ENC_TSV_B6_PAUSE 0x02u      /* bit 49 */
#define ENC_TSV_B6_BACKPRESSURE 0x04u /* bit 50 */
#define ENC_TSV_B6_VLAN 0x08u       /* bit 51 */

/* Ethernet framing constants the chip enforces. */
#define ENC_ETH_MIN_FRAME 60u /* without FCS */
#define ENC_ETH_FCS_LEN 4u
#define ENC_ETH_MAX_FRAME 1518u /* with FCS */

#ifdef __cplusplus
}
#endif
#endif /* ENC28J60_HW_H */
