/*
 * proxy_internal.h - what the PROXY protocol files share.
 */
#ifndef LSI_PROXY_INTERNAL_H
#define LSI_PROXY_INTERNAL_H

#include "common/internal.h"

/*
 * Nonzero unless the v2 header has a CRC32C TLV whose value differs from
 * the checksum of the header (with that value taken as zero).
 */
int lsi_proxy_crc_ok(const unsigned char *buf, const ls_proxy_header *h);

#endif /* LSI_PROXY_INTERNAL_H */
