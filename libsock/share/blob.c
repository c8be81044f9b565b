/*
 * blob.c - packing and checking the bytes that carry a socket to another
 * process (layout in share_internal.h). Everything here reads bytes that
 * may come from outside: each field is checked before it is used, and
 * lengths are checked before anything is read.
 */
#include <stdatomic.h>
#include <string.h>

#include "share/share_internal.h"

static const unsigned char lsi_share_magic[4] = { 'L', 'S', 'X', 0x01 };

#define LSI_SHARE_VERSION 1

/* CRC-32 (IEEE 802.3, reflected), bit by bit: blobs are a few hundred bytes. */
static uint32_t lsi_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
	int k;

	crc = ~crc;
	while (n-- > 0) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void lsi_put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void lsi_put32(unsigned char *p, uint32_t v)
{
	lsi_put16(p, v);
	lsi_put16(p + 2, v >> 16);
}

static uint32_t lsi_get16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t lsi_get32(const unsigned char *p)
{
	return lsi_get16(p) | lsi_get16(p + 2) << 16;
}

void lsi_share_hdr_init(lsi_share_hdr *h, int kind, int family, int type, uint32_t dst_pid)
{
	static _Atomic uint32_t counter;

	memset(h, 0, sizeof(*h));
	h->kind = kind;
	h->family = family;
	h->type = type;
	h->src_pid = (uint32_t)lsi_plat_process_id();
	h->dst_pid = dst_pid;
	h->counter = atomic_fetch_add(&counter, 1) + 1;
	/* With the counter, tells this export from one by an earlier process of the same id. */
	h->stamp = (uint32_t)lsi_plat_now_ms();
}

static uint32_t lsi_share_crc(const unsigned char *buf, size_t payload)
{
	uint32_t crc = lsi_crc32(0, buf, 28);

	return lsi_crc32(crc, buf + LSI_SHARE_HDR, payload);
}

void lsi_share_pack(unsigned char *buf, const lsi_share_hdr *h)
{
	memcpy(buf, lsi_share_magic, 4);
	buf[4] = LSI_SHARE_VERSION;
	buf[5] = (unsigned char)h->kind;
	lsi_put16(buf + 6, (uint32_t)h->family);
	lsi_put16(buf + 8, (uint32_t)h->type);
	lsi_put16(buf + 10, (uint32_t)h->payload);
	lsi_put32(buf + 12, h->src_pid);
	lsi_put32(buf + 16, h->dst_pid);
	lsi_put32(buf + 20, h->counter);
	lsi_put32(buf + 24, h->stamp);
	lsi_put32(buf + 28, lsi_share_crc(buf, h->payload));
}

static int lsi_share_kind_ok(int family, int type, int kind, size_t payload)
{
	if (family != LS_AF_INET && family != LS_AF_INET6 && family != LS_AF_UNIX)
		return 0;
	if (type != LS_SOCK_STREAM && type != LS_SOCK_DGRAM)
		return 0;
	if (kind == LSI_SHARE_FD)
		return payload == 0;
	return kind == LSI_SHARE_OS && payload > 0 && payload <= LSI_SHARE_PAYLOAD_MAX;
}

int lsi_share_parse(const unsigned char *buf, lsi_share_hdr *h)
{
	if (memcmp(buf, lsi_share_magic, 4) != 0 || buf[4] != LSI_SHARE_VERSION)
		return lsi_fail(LS_EINVAL);
	h->kind = buf[5];
	h->family = (int)lsi_get16(buf + 6);
	h->type = (int)lsi_get16(buf + 8);
	h->payload = lsi_get16(buf + 10);
	h->src_pid = lsi_get32(buf + 12);
	h->dst_pid = lsi_get32(buf + 16);
	h->counter = lsi_get32(buf + 20);
	h->stamp = lsi_get32(buf + 24);
	if (!lsi_share_kind_ok(h->family, h->type, h->kind, h->payload))
		return lsi_fail(LS_EINVAL);
	return 0;
}

int lsi_share_verify(const unsigned char *buf, const lsi_share_hdr *h)
{
	if (lsi_get32(buf + 28) != lsi_share_crc(buf, h->payload))
		return lsi_fail(LS_EINVAL);
	return 0;
}

/*
 * The exports this process imported last: a replay must be older than the
 * LSI_SEEN_MAX imports before it to go unnoticed, and by then the OS has
 * long refused it (the exporter's duplicate is consumed).
 */
#define LSI_SEEN_MAX 64

typedef struct lsi_seen {
	uint32_t src_pid, counter, stamp;
} lsi_seen;

static lsi_seen lsi_seen_list[LSI_SEEN_MAX];
static unsigned lsi_seen_next;
static atomic_flag lsi_seen_lock = ATOMIC_FLAG_INIT;

static int lsi_seen_has(const lsi_share_hdr *h)
{
	unsigned i;

	for (i = 0; i < LSI_SEEN_MAX; i++)
		if (lsi_seen_list[i].src_pid == h->src_pid &&
		    lsi_seen_list[i].counter == h->counter && lsi_seen_list[i].stamp == h->stamp)
			return 1;
	return 0;
}

int lsi_share_first_import(const lsi_share_hdr *h)
{
	int seen;

	while (atomic_flag_test_and_set_explicit(&lsi_seen_lock, memory_order_acquire))
		;
	seen = lsi_seen_has(h);
	if (!seen) {
		lsi_seen_list[lsi_seen_next] = (lsi_seen){ h->src_pid, h->counter, h->stamp };
		lsi_seen_next = (lsi_seen_next + 1) % LSI_SEEN_MAX;
	}
	atomic_flag_clear_explicit(&lsi_seen_lock, memory_order_release);
	return seen ? lsi_fail(LS_EINVAL) : 0;
}
