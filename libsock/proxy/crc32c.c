/*
 * crc32c.c - the CRC32C (Castagnoli) a v2 header may carry in a
 * PP2_TYPE_CRC32C TLV. Headers are at most LS_PROXY_MAX_HEADER bytes and
 * checked once per connection, so a bitwise loop is fast enough and needs
 * no table.
 */
#include <string.h>

#include "proxy/proxy_internal.h"

#define LSI_CRC32C_POLY 0x82f63b78u /* reflected Castagnoli polynomial */

static uint32_t lsi_crc32c_update(uint32_t crc, const unsigned char *p, size_t n)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (LSI_CRC32C_POLY & (0u - (crc & 1u)));
	}
	return crc;
}

int lsi_proxy_crc_ok(const unsigned char *buf, const ls_proxy_header *h)
{
	static const unsigned char zero[4] = {0, 0, 0, 0};
	const unsigned char *p = buf + h->tlv_off;
	size_t i = 0, l, at;
	uint32_t want, crc;

	while (i + 3 <= h->tlv_len) {
		l = (size_t)(p[i + 1] << 8 | p[i + 2]);
		if (p[i] == LS_PP2_TYPE_CRC32C) {
			if (l != 4)
				return 0;
			at = h->tlv_off + i + 3;
			want = (uint32_t)buf[at] << 24 | (uint32_t)buf[at + 1] << 16 |
			       (uint32_t)buf[at + 2] << 8 | buf[at + 3];
			crc = lsi_crc32c_update(0xffffffffu, buf, at);
			crc = lsi_crc32c_update(crc, zero, 4);
			crc = lsi_crc32c_update(crc, buf + at + 4, h->length - at - 4);
			return (crc ^ 0xffffffffu) == want;
		}
		i += 3 + l;
	}
	return 1;
}
