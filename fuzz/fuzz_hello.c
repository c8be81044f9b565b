/*
 * fuzz_hello.c - libFuzzer target for the ClientHello reader of the TLS
 * servers whose library does not report SNI and ALPN (libsock/tls/hello.c,
 * used by the Schannel server): bytes from the network. Whatever it
 * accepts must stay inside the record, give a printable host name, and an
 * ALPN list whose entries end exactly at its end; the server's choice from
 * it must be one of the server's own protocols.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The server's list the choice is made from (once; NULL without a TLS backend). */
static ls_tls_config *server_config(void)
{
	static const char *const protos[] = {"h2", "http/1.1", "x-libsock"};
	static ls_tls_config *cfg;
	static int tried;

	if (!tried) {
		tried = 1;
		if (ls_tls_config_new(&cfg, LS_TLS_SERVER) != 0 ||
		    ls_tls_config_alpn(cfg, protos, 3) != 0)
			cfg = NULL;
	}
	return cfg;
}

static void check_sni(const lsi_tls_hello *h)
{
	const char *end = memchr(h->sni, '\0', sizeof(h->sni));
	size_t i, n;

	if (end == NULL)
		abort(); /* not terminated */
	n = (size_t)(end - h->sni);
	for (i = 0; i < n; i++)
		if ((unsigned char)h->sni[i] <= ' ' || (unsigned char)h->sni[i] >= 0x7f)
			abort();
}

static void check_alpn(const lsi_tls_hello *h, const uint8_t *data, size_t size)
{
	const unsigned char *proto;
	ls_tls_config *cfg = server_config();
	size_t i, n;

	if (h->alpn == NULL) {
		if (h->alpn_len != 0)
			abort();
		return;
	}
	if (h->alpn < data || h->alpn_len == 0 || h->alpn_len > size ||
	    (size_t)(h->alpn - data) > size - h->alpn_len)
		abort(); /* outside the record */
	for (i = 0; i < h->alpn_len; i += n + 1) {
		n = h->alpn[i];
		if (n == 0 || n > h->alpn_len - i - 1)
			abort();
	}
	if (cfg == NULL)
		return;
	n = lsi_tls_alpn_choose(cfg, h, &proto);
	if ((n == 0) != (proto == NULL))
		abort();
	if (n != 0 && (proto < cfg->alpn || proto + n > cfg->alpn + cfg->alpn_len || *proto + 1u != n))
		abort(); /* not one of the server's own */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lsi_tls_hello h;
	int rc = lsi_tls_hello_parse(data, size, &h);
	int whole = size >= 5 && size >= 5 + (((size_t)data[3] << 8) | data[4]);

	if (rc != (whole ? 0 : LS_EAGAIN))
		abort();
	check_sni(&h);
	check_alpn(&h, data, size);
	return 0;
}
