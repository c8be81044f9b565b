/*
 * fuzz_proxy.c - libFuzzer target for the PROXY protocol parser: any bytes,
 * with the versions chosen by the first byte. A header that parses must be
 * within the input, and every TLV lookup must stay inside it (ASan checks).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = { LS_PP2_TYPE_ALPN, LS_PP2_TYPE_AUTHORITY, LS_PP2_TYPE_CRC32C,
		                     LS_PP2_TYPE_UNIQUE_ID, LS_PP2_TYPE_SSL, 0xff };
	ls_proxy_header h;
	unsigned char *copy, val[64];
	size_t i, len;
	int versions, rc;

	if (size == 0)
		return 0;
	versions = (data[0] % 3) + 1;
	/* An exact-size copy, so ASan sees any read past the end. */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	rc = ls_proxy_parse(copy, size - 1, versions, &h);
	if (rc == 0) {
		if (h.length > size - 1 || h.tlv_off + h.tlv_len > h.length)
			abort();
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			ls_proxy_tlv_find(copy, &h, types[i], val, sizeof(val), &len);
		for (i = LS_PP2_SUBTYPE_SSL_VERSION; i <= LS_PP2_SUBTYPE_SSL_KEY_ALG; i++)
			ls_proxy_ssl_find(copy, &h, NULL, NULL, (int)i, val, sizeof(val), &len);
	} else if (rc != LS_EAGAIN && rc != LS_EPROTO) {
		abort();
	}
	free(copy);
	return 0;
}
