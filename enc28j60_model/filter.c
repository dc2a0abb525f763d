/*
 * filter.c - the receive filters selected by ERXFCON (DS39662E 8.0,
 * Figures 8-1/8-2) and the IEEE 802.3 CRC-32 the MAC uses for the FCS and
 * the hash table.
 *
 * rx.c checks CRCEN itself (so a bad FCS is counted as such) and then asks
 * model_rx_filter(). With no filter enabled the chip is promiscuous; ANDOR=0
 * accepts when any enabled filter matches, ANDOR=1 only when all do.
 */
#include "model_internal.h"

/* Reflected CRC-32 (polynomial 0x04C11DB7, reflected 0xEDB88320), one entry
 * per byte value. */
static const uint32_t crc_table[256] = {
	0x00000000u, 0x77073096u, 0xEE0E612Cu, 0x990951BAu, 0x076DC419u, 0x706AF48Fu,
	0xE963A535u, 0x9E6495A3u, 0x0EDB8832u, 0x79DCB8A4u, 0xE0D5E91Eu, 0x97D2D988u,
	0x09B64C2Bu, 0x7EB17CBDu, 0xE7B82D07u, 0x90BF1D91u, 0x1DB71064u, 0x6AB020F2u,
	0xF3B97148u, 0x84BE41DEu, 0x1ADAD47Du, 0x6DDDE4EBu, 0xF4D4B551u, 0x83D385C7u,
	0x136C9856u, 0x646BA8C0u, 0xFD62F97Au, 0x8A65C9ECu, 0x14015C4Fu, 0x63066CD9u,
	0xFA0F3D63u, 0x8D080DF5u, 0x3B6E20C8u, 0x4C69105Eu, 0xD56041E4u, 0xA2677172u,
	0x3C03E4D1u, 0x4B04D447u, 0xD20D85FDu, 0xA50AB56Bu, 0x35B5A8FAu, 0x42B2986Cu,
	0xDBBBC9D6u, 0xACBCF940u, 0x32D86CE3u, 0x45DF5C75u, 0xDCD60DCFu, 0xABD13D59u,
	0x26D930ACu, 0x51DE003Au, 0xC8D75180u, 0xBFD06116u, 0x21B4F4B5u, 0x56B3C423u,
	0xCFBA9599u, 0xB8BDA50Fu, 0x2802B89Eu, 0x5F058808u, 0xC60CD9B2u, 0xB10BE924u,
	0x2F6F7C87u, 0x58684C11u, 0xC1611DABu, 0xB6662D3Du, 0x76DC4190u, 0x01DB7106u,
	0x98D220BCu, 0xEFD5102Au, 0x71B18589u, 0x06B6B51Fu, 0x9FBFE4A5u, 0xE8B8D433u,
	0x7807C9A2u, 0x0F00F934u, 0x9609A88Eu, 0xE10E9818u, 0x7F6A0DBBu, 0x086D3D2Du,
	0x91646C97u, 0xE6635C01u, 0x6B6B51F4u, 0x1C6C6162u, 0x856530D8u, 0xF262004Eu,
	0x6C0695EDu, 0x1B01A57Bu, 0x8208F4C1u, 0xF50FC457u, 0x65B0D9C6u, 0x12B7E950u,
	0x8BBEB8EAu, 0xFCB9887Cu, 0x62DD1DDFu, 0x15DA2D49u, 0x8CD37CF3u, 0xFBD44C65u,
	0x4DB26158u, 0x3AB551CEu, 0xA3BC0074u, 0xD4BB30E2u, 0x4ADFA541u, 0x3DD895D7u,
	0xA4D1C46Du, 0xD3D6F4FBu, 0x4369E96Au, 0x346ED9FCu, 0xAD678846u, 0xDA60B8D0u,
	0x44042D73u, 0x33031DE5u, 0xAA0A4C5Fu, 0xDD0D7CC9u, 0x5005713Cu, 0x270241AAu,
	0xBE0B1010u, 0xC90C2086u, 0x5768B525u, 0x206F85B3u, 0xB966D409u, 0xCE61E49Fu,
	0x5EDEF90Eu, 0x29D9C998u, 0xB0D09822u, 0xC7D7A8B4u, 0x59B33D17u, 0x2EB40D81u,
	0xB7BD5C3Bu, 0xC0BA6CADu, 0xEDB88320u, 0x9ABFB3B6u, 0x03B6E20Cu, 0x74B1D29Au,
	0xEAD54739u, 0x9DD277AFu, 0x04DB2615u, 0x73DC1683u, 0xE3630B12u, 0x94643B84u,
	0x0D6D6A3Eu, 0x7A6A5AA8u, 0xE40ECF0Bu, 0x9309FF9Du, 0x0A00AE27u, 0x7D079EB1u,
	0xF00F9344u, 0x8708A3D2u, 0x1E01F268u, 0x6906C2FEu, 0xF762575Du, 0x806567CBu,
	0x196C3671u, 0x6E6B06E7u, 0xFED41B76u, 0x89D32BE0u, 0x10DA7A5Au, 0x67DD4ACCu,
	0xF9B9DF6Fu, 0x8EBEEFF9u, 0x17B7BE43u, 0x60B08ED5u, 0xD6D6A3E8u, 0xA1D1937Eu,
	0x38D8C2C4u, 0x4FDFF252u, 0xD1BB67F1u, 0xA6BC5767u, 0x3FB506DDu, 0x48B2364Bu,
	0xD80D2BDAu, 0xAF0A1B4Cu, 0x36034AF6u, 0x41047A60u, 0xDF60EFC3u, 0xA867DF55u,
	0x316E8EEFu, 0x4669BE79u, 0xCB61B38Cu, 0xBC66831Au, 0x256FD2A0u, 0x5268E236u,
	0xCC0C7795u, 0xBB0B4703u, 0x220216B9u, 0x5505262Fu, 0xC5BA3BBEu, 0xB2BD0B28u,
	0x2BB45A92u, 0x5CB36A04u, 0xC2D7FFA7u, 0xB5D0CF31u, 0x2CD99E8Bu, 0x5BDEAE1Du,
	0x9B64C2B0u, 0xEC63F226u, 0x756AA39Cu, 0x026D930Au, 0x9C0906A9u, 0xEB0E363Fu,
	0x72076785u, 0x05005713u, 0x95BF4A82u, 0xE2B87A14u, 0x7BB12BAEu, 0x0CB61B38u,
	0x92D28E9Bu, 0xE5D5BE0Du, 0x7CDCEFB7u, 0x0BDBDF21u, 0x86D3D2D4u, 0xF1D4E242u,
	0x68DDB3F8u, 0x1FDA836Eu, 0x81BE16CDu, 0xF6B9265Bu, 0x6FB077E1u, 0x18B74777u,
	0x88085AE6u, 0xFF0F6A70u, 0x66063BCAu, 0x11010B5Cu, 0x8F659EFFu, 0xF862AE69u,
	0x616BFFD3u, 0x166CCF45u, 0xA00AE278u, 0xD70DD2EEu, 0x4E048354u, 0x3903B3C2u,
	0xA7672661u, 0xD06016F7u, 0x4969474Du, 0x3E6E77DBu, 0xAED16A4Au, 0xD9D65ADCu,
	0x40DF0B66u, 0x37D83BF0u, 0xA9BCAE53u, 0xDEBB9EC5u, 0x47B2CF7Fu, 0x30B5FFE9u,
	0xBDBDF21Cu, 0xCABAC28Au, 0x53B39330u, 0x24B4A3A6u, 0xBAD03605u, 0xCDD70693u,
	0x54DE5729u, 0x23D967BFu, 0xB3667A2Eu, 0xC4614AB8u, 0x5D681B02u, 0x2A6F2B94u,
	0xB40BBE37u, 0xC30C8EA1u, 0x5A05DF1Bu, 0x2D02EF8Du,
};

/* IEEE 802.3 FCS: the value goes on the wire least significant byte first. */
/* Slicing-by-8 (the model computes an FCS per frame sent and received, the
 * hottest loop of bench_frames): slice[k][b] is the CRC register after b
 * followed by k zero bytes, slice[k][b] = (slice[k-1][b] >> 8) ^
 * crc_table[slice[k-1][b] & 0xFF], so eight bytes cost eight independent
 * lookups instead of a chain of eight. Filled once before main() (a
 * constructor: no lazy initialisation for concurrent runners to race on);
 * test_model_filter checks it against the byte-at-a-time table. */
static uint32_t slice[8][256];

__attribute__((constructor)) static void crc_slices(void)
{
	for (unsigned b = 0; b < 256u; b++) {
		uint32_t c = crc_table[b];
		slice[0][b] = c;
		for (unsigned k = 1; k < 8u; k++) {
			c = (c >> 8) ^ crc_table[c & 0xFFu];
			slice[k][b] = c;
		}
	}
}

uint32_t model_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (; n >= 8u; n -= 8u, p += 8) {
		uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		c = slice[7][lo & 0xFFu] ^ slice[6][(lo >> 8) & 0xFFu] ^ slice[5][(lo >> 16) & 0xFFu] ^
		    slice[4][lo >> 24] ^ slice[3][p[4]] ^ slice[2][p[5]] ^ slice[1][p[6]] ^ slice[0][p[7]];
	}
	for (; n > 0; n--, p++)
		c = crc_table[(c ^ *p) & 0xFFu] ^ (c >> 8);
	return ~c;
}

static uint32_t bitrev32(uint32_t v)
{
	v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
	v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
	v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
	v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
	return (v >> 16) | (v << 16);
}

/* Hash table pointer (DS 8.4): the MAC runs the CRC over the six destination
 * bytes in its natural bit order (MSB-first shift register, no final
 * inversion) and uses bits 28:23 as the index into EHT0..EHT7 (bit 0 of
 * EHT0 is index 0). That register is the bit-reverse of the reflected
 * CRC before its final inversion. */
unsigned model_hash_index(const uint8_t dest[6])
{
	uint32_t msb_first = bitrev32(~model_crc32(dest, 6));
	return (unsigned)((msb_first >> 23) & 0x3Fu);
}

/* MAADR1 is the first octet on the wire, at bank 3 address 0x04. */
void model_mac_addr(const struct enc_model *m, uint8_t mac[6])
{
	mac[0] = reg_get(m, MAADR1);
	mac[1] = reg_get(m, MAADR2);
	mac[2] = reg_get(m, MAADR3);
	mac[3] = reg_get(m, MAADR4);
	mac[4] = reg_get(m, MAADR5);
	mac[5] = reg_get(m, MAADR6);
}

static bool mac_eq(const uint8_t *a, const uint8_t *b)
{
	for (unsigned i = 0; i < 6; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool is_broadcast(const uint8_t *d)
{
	return (d[0] & d[1] & d[2] & d[3] & d[4] & d[5]) == 0xFFu;
}

/* DS 8.2: up to 64 bytes of a window starting EPMO bytes after the start of
 * the destination address, selected by EPMM (bit i of EPMM0..7 = byte i),
 * concatenated and checksummed like the DMA does (DS 13.2); a window that
 * runs past the end of the CRC never matches. */
static bool pattern_match(const struct enc_model *m, const uint8_t *f, size_t len)
{
	size_t off = reg_get16(m, EPMOL);
	if (off + 64u > len)
		return false;
	uint32_t sum = 0;
	bool hi = true;
	for (unsigned i = 0; i < 64; i++) {
		uint8_t mask = m->regs[1][ENC_REG_ADDR(EPMM0) + i / 8u];
		if (!(mask & (1u << (i % 8u))))
			continue;
		sum += hi ? (uint32_t)f[off + i] << 8 : f[off + i];
		hi = !hi;
	}
	while (sum >> 16)
		sum = (sum & 0xFFFFu) + (sum >> 16);
	return (uint16_t)~sum == reg_get16(m, EPMCSL);
}

/* DS 8.3: addressed to us, and somewhere in the data field six 0xFF bytes
 * followed by sixteen copies of our address. */
static bool magic_packet(const uint8_t *f, size_t len, const uint8_t *mac)
{
	if (!mac_eq(f, mac) || len < 14u + 102u + 4u)
		return false;
	size_t end = len - 4u;
	for (size_t i = 14; i + 102u <= end; i++) {
		bool ok = true;
		for (unsigned k = 0; k < 6 && ok; k++)
			ok = f[i + k] == 0xFFu;
		for (unsigned r = 0; r < 16 && ok; r++)
			ok = mac_eq(f + i + 6u + 6u * r, mac);
		if (ok)
			return true;
	}
	return false;
}

bool model_rx_filter(const struct enc_model *m, const uint8_t *f, size_t len)
{
	uint8_t fc = reg_get(m, ERXFCON);
	uint8_t en = fc & (uint8_t)(ERXFCON_UCEN | ERXFCON_PMEN | ERXFCON_MPEN | ERXFCON_HTEN |
				    ERXFCON_MCEN | ERXFCON_BCEN);
	if (en == 0)
		return true; /* promiscuous */
	bool all = (fc & ERXFCON_ANDOR) != 0;
	uint8_t mac[6];
	model_mac_addr(m, mac);
	for (uint8_t bit = 0x80u; bit; bit >>= 1) {
		if (!(en & bit))
			continue;
		bool hit = false;
		switch (bit) {
		case ERXFCON_UCEN:
			hit = mac_eq(f, mac);
			break;
		case ERXFCON_PMEN:
			hit = pattern_match(m, f, len);
			break;
		case ERXFCON_MPEN:
			hit = magic_packet(f, len, mac);
			break;
		case ERXFCON_HTEN: {
			unsigned h = model_hash_index(f);
			hit = (((unsigned)m->regs[1][h / 8u] >> (h % 8u)) & 1u) != 0;
			break;
		}
		case ERXFCON_MCEN:
			hit = (f[0] & 1u) != 0; /* DS 8.5: broadcasts qualify too */
			break;
		case ERXFCON_BCEN:
			hit = is_broadcast(f);
			break;
		default:
			break;
		}
		if (hit && !all)
			return true;
		if (!hit && all)
			return false;
	}
	return all;
}
