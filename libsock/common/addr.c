/*
 * addr.c - the ls_addr value type: construction, text parsing and
 * formatting, comparison.
 *
 * Parsing and formatting are written here rather than borrowed from the
 * OS's inet_pton/inet_ntop so that every OS accepts exactly the same text
 * and prints exactly the same (RFC 5952) form: Windows and glibc disagree on
 * details such as leading zeros.
 */
#include <string.h>

#include "internal.h"

static const uint8_t lsi_v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void ls_addr_ipv4(ls_addr *out, const uint8_t ip[4], uint16_t port)
{
	if (out == NULL || ip == NULL)
		return;
	memset(out, 0, sizeof(*out));
	out->family = LS_AF_INET;
	out->port = port;
	memcpy(out->ip, ip, 4);
}

void ls_addr_ipv6(ls_addr *out, const uint8_t ip[16], uint16_t port, uint32_t scope_id)
{
	if (out == NULL || ip == NULL)
		return;
	memset(out, 0, sizeof(*out));
	out->family = LS_AF_INET6;
	out->port = port;
	out->scope_id = scope_id;
	memcpy(out->ip, ip, 16);
}

int ls_addr_loopback(ls_addr *out, int family, uint16_t port)
{
	static const uint8_t v4[4] = {127, 0, 0, 1};
	static const uint8_t v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	if (family == LS_AF_INET)
		ls_addr_ipv4(out, v4, port);
	else if (family == LS_AF_INET6)
		ls_addr_ipv6(out, v6, port, 0);
	else
		return lsi_fail(LS_EAFNOSUPPORT);
	return 0;
}

int ls_addr_any(ls_addr *out, int family, uint16_t port)
{
	static const uint8_t zero[16];

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	if (family == LS_AF_INET)
		ls_addr_ipv4(out, zero, port);
	else if (family == LS_AF_INET6)
		ls_addr_ipv6(out, zero, port, 0);
	else
		return lsi_fail(LS_EAFNOSUPPORT);
	return 0;
}

int ls_addr_unix(ls_addr *out, const char *path)
{
	size_t len;

	if (out == NULL || path == NULL)
		return lsi_fail(LS_EINVAL);
	len = strlen(path);
	if (len > LS_UNIX_PATH_MAX)
		return lsi_fail(LS_ENAMETOOLONG);
	memset(out, 0, sizeof(*out));
	out->family = LS_AF_UNIX;
	out->path_len = (uint16_t)len;
	memcpy(out->path, path, len);
	return 0;
}

/* --- Parsing ------------------------------------------------------------- */

/*
 * Parse a dotted quad from [s, end): exactly four decimal parts of at most
 * three digits, each 0-255, without leading zeros (which some parsers read
 * as octal).
 */
static int lsi_parse_v4(const char *s, const char *end, uint8_t out[4])
{
	int part = 0, digits = 0, value = 0;

	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9') {
			if (digits == 1 && value == 0)
				return lsi_fail(LS_EINVAL);
			value = value * 10 + (*s - '0');
			if (++digits > 3 || value > 255)
				return lsi_fail(LS_EINVAL);
		} else if (*s == '.' && digits > 0 && part < 3) {
			out[part++] = (uint8_t)value;
			digits = value = 0;
		} else {
			return lsi_fail(LS_EINVAL);
		}
	}
	if (part != 3 || digits == 0)
		return lsi_fail(LS_EINVAL);
	out[3] = (uint8_t)value;
	return 0;
}

static int lsi_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Expand a "::" found at group index gap so the 8 groups fill 16 bytes. */
static void lsi_v6_expand(uint8_t out[16], int ngroups, int gap)
{
	int tail = (ngroups - gap) * 2;

	memmove(out + 16 - tail, out + gap * 2, (size_t)tail);
	memset(out + gap * 2, 0, (size_t)(16 - ngroups * 2));
}

/*
 * Parse IPv6 text (no brackets, no zone) from [s, end): up to eight groups
 * of one to four hex digits, at most one "::", and optionally a dotted quad
 * in place of the last two groups.
 */
static int lsi_parse_v6(const char *s, const char *end, uint8_t out[16])
{
	int ngroups = 0, gap = -1, digits = 0;
	unsigned value = 0;
	const char *group = s;

	memset(out, 0, 16);
	if (end - s >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
		group = s;
		if (s == end)
			return 0;
	} else if (s < end && *s == ':') {
		return lsi_fail(LS_EINVAL);
	}
	for (; s <= end; s++) {
		int h = (s < end) ? lsi_hexval(*s) : -1;

		if (h >= 0) {
			if (++digits > 4)
				return lsi_fail(LS_EINVAL);
			value = (value << 4) | (unsigned)h;
			continue;
		}
		if (s < end && *s == '.') {
			/* An embedded IPv4 address must be the last part. */
			if (ngroups > 6 || lsi_parse_v4(group, end, out + ngroups * 2) != 0)
				return lsi_fail(LS_EINVAL);
			ngroups += 2;
			digits = 0;
			break;
		}
		if (digits == 0 || ngroups == 8)
			return lsi_fail(LS_EINVAL);
		out[ngroups * 2] = (uint8_t)(value >> 8);
		out[ngroups * 2 + 1] = (uint8_t)value;
		ngroups++;
		digits = 0;
		value = 0;
		if (s == end)
			break;
		if (*s != ':')
			return lsi_fail(LS_EINVAL);
		if (s + 1 < end && s[1] == ':') {
			if (gap >= 0)
				return lsi_fail(LS_EINVAL);
			gap = ngroups;
			s++;
			if (s + 1 == end)
				break;
		} else if (s + 1 == end) {
			return lsi_fail(LS_EINVAL); /* a trailing single ':' */
		}
		group = s + 1;
	}
	if (gap >= 0) {
		if (ngroups > 7)
			return lsi_fail(LS_EINVAL);
		lsi_v6_expand(out, ngroups, gap);
	} else if (ngroups != 8) {
		return lsi_fail(LS_EINVAL);
	}
	return 0;
}

/* Parse a decimal port: 1-5 digits, LS_ERANGE above 65535. */
static int lsi_parse_port(const char *s, uint16_t *port)
{
	unsigned long value = 0;
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9')
			return lsi_fail(LS_EINVAL);
		if (value <= 65535)
			value = value * 10 + (unsigned long)(s[n] - '0');
	}
	if (n == 0)
		return lsi_fail(LS_EINVAL);
	if (value > 65535)
		return lsi_fail(LS_ERANGE);
	*port = (uint16_t)value;
	return 0;
}

/* Parse a zone ("2" or "eth0") into an interface index. */
static int lsi_parse_zone(const char *s, const char *end, uint32_t *scope)
{
	char name[64];
	size_t len = (size_t)(end - s);
	uint64_t value = 0;
	const char *p;

	if (len == 0 || len >= sizeof(name))
		return lsi_fail(LS_EINVAL);
	for (p = s; p < end && *p >= '0' && *p <= '9'; p++) {
		value = value * 10 + (uint64_t)(*p - '0');
		if (value > UINT32_MAX)
			return lsi_fail(LS_EINVAL);
	}
	if (p == end) {
		*scope = (uint32_t)value;
		return 0;
	}
	memcpy(name, s, len);
	name[len] = '\0';
	return lsi_plat_if_nametoindex(name, scope) == 0 ? 0 : LS_EINVAL;
}

/* An IP address of the wanted family (or either) from [s, end). */
static int lsi_parse_ip_range(ls_addr *out, const char *s, const char *end, int family)
{
	const char *zone = memchr(s, '%', (size_t)(end - s));
	uint8_t ip[16];
	uint32_t scope = 0;

	if ((family == LS_AF_UNSPEC || family == LS_AF_INET) && zone == NULL &&
	    lsi_parse_v4(s, end, ip) == 0) {
		ls_addr_ipv4(out, ip, 0);
		return 0;
	}
	if (family != LS_AF_UNSPEC && family != LS_AF_INET6)
		return family == LS_AF_INET ? LS_EINVAL : LS_EAFNOSUPPORT;
	if (lsi_parse_v6(s, zone ? zone : end, ip) != 0)
		return lsi_fail(LS_EINVAL);
	if (zone != NULL && lsi_parse_zone(zone + 1, end, &scope) != 0)
		return lsi_fail(LS_EINVAL);
	ls_addr_ipv6(out, ip, 0, scope);
	return 0;
}

int ls_addr_parse_ip(ls_addr *out, const char *text, int family)
{
	if (out == NULL || text == NULL)
		return lsi_fail(LS_EINVAL);
	return lsi_parse_ip_range(out, text, text + strlen(text), family);
}

/* "[v6]" or "[v6]:port". */
static int lsi_parse_bracketed(ls_addr *out, const char *text)
{
	const char *close = strchr(text, ']');
	uint16_t port = 0;
	int rc;

	if (close == NULL)
		return lsi_fail(LS_EINVAL);
	if (close[1] != '\0') {
		if (close[1] != ':')
			return lsi_fail(LS_EINVAL);
		rc = lsi_parse_port(close + 2, &port);
		if (rc != 0)
			return rc;
	}
	rc = lsi_parse_ip_range(out, text + 1, close, LS_AF_INET6);
	if (rc == 0)
		out->port = port;
	return rc;
}

int ls_addr_parse(ls_addr *out, const char *text)
{
	const char *colon;
	uint16_t port = 0;
	int rc;

	if (out == NULL || text == NULL)
		return lsi_fail(LS_EINVAL);
	if (strncmp(text, "unix:", 5) == 0)
		return text[5] ? ls_addr_unix(out, text + 5) : LS_EINVAL;
	if (text[0] == '/' || text[0] == '.')
		return ls_addr_unix(out, text);
	if (text[0] == '[')
		return lsi_parse_bracketed(out, text);
	colon = strchr(text, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return ls_addr_parse_ip(out, text, LS_AF_INET6); /* bare IPv6, no port */
	if (colon == NULL)
		return ls_addr_parse_ip(out, text, LS_AF_INET);
	rc = lsi_parse_port(colon + 1, &port);
	if (rc != 0)
		return rc;
	rc = lsi_parse_ip_range(out, text, colon, LS_AF_INET);
	if (rc == 0)
		out->port = port;
	return rc;
}

/* --- Formatting ---------------------------------------------------------- */

/* A small bounded string builder: overflow is remembered, never written. */
typedef struct lsi_sb {
	char *buf;
	size_t size;
	size_t len;
	int overflow;
} lsi_sb;

static void lsi_sb_putc(lsi_sb *sb, char c)
{
	if (sb->len + 1 >= sb->size) {
		sb->overflow = 1;
		return;
	}
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

static void lsi_sb_puts(lsi_sb *sb, const char *s)
{
	while (*s)
		lsi_sb_putc(sb, *s++);
}

static void lsi_sb_putu(lsi_sb *sb, unsigned long v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		lsi_sb_putc(sb, tmp[--n]);
}

static void lsi_sb_puthex(lsi_sb *sb, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;

	while (shift > 0 && ((v >> shift) & 0xf) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		lsi_sb_putc(sb, hex[(v >> shift) & 0xf]);
}

static void lsi_format_v4(lsi_sb *sb, const uint8_t *ip)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			lsi_sb_putc(sb, '.');
		lsi_sb_putu(sb, ip[i]);
	}
}

/* The longest run (>= 2) of zero groups, first one on a tie (RFC 5952). */
static void lsi_v6_zero_run(const uint8_t *ip, int *start, int *len)
{
	int i, run = 0;

	*start = -1;
	*len = 0;
	for (i = 0; i <= 8; i++) {
		if (i < 8 && ip[2 * i] == 0 && ip[2 * i + 1] == 0) {
			run++;
			continue;
		}
		if (run > *len && run >= 2) {
			*start = i - run;
			*len = run;
		}
		run = 0;
	}
}

static void lsi_format_v6(lsi_sb *sb, const uint8_t *ip)
{
	int i, zstart, zlen;

	if (memcmp(ip, lsi_v4mapped_prefix, 12) == 0) {
		lsi_sb_puts(sb, "::ffff:");
		lsi_format_v4(sb, ip + 12);
		return;
	}
	lsi_v6_zero_run(ip, &zstart, &zlen);
	for (i = 0; i < 8; i++) {
		if (i == zstart) {
			lsi_sb_puts(sb, "::");
			i += zlen - 1;
			continue;
		}
		if (i > 0 && i != zstart + zlen)
			lsi_sb_putc(sb, ':');
		lsi_sb_puthex(sb, (unsigned)(ip[2 * i] << 8 | ip[2 * i + 1]));
	}
}

/* The IP part, with "%scope" for scoped IPv6. */
static int lsi_format_ip(lsi_sb *sb, const ls_addr *addr)
{
	if (addr->family == LS_AF_INET) {
		lsi_format_v4(sb, addr->ip);
	} else if (addr->family == LS_AF_INET6) {
		lsi_format_v6(sb, addr->ip);
		if (addr->scope_id != 0) {
			lsi_sb_putc(sb, '%');
			lsi_sb_putu(sb, addr->scope_id);
		}
	} else {
		return lsi_fail(LS_EAFNOSUPPORT);
	}
	return 0;
}

static void lsi_format_unix(lsi_sb *sb, const ls_addr *addr)
{
	size_t i, n = addr->path_len <= LS_UNIX_PATH_MAX ? addr->path_len : LS_UNIX_PATH_MAX;

	/* Abstract names start with NUL; show NULs as '@' as ss(8) does. */
	for (i = 0; i < n; i++)
		lsi_sb_putc(sb, addr->path[i] ? addr->path[i] : '@');
}

/* Finish a format call: on overflow the output is an empty string. */
static int lsi_sb_finish(lsi_sb *sb, int rc)
{
	if (rc == 0 && sb->overflow)
		rc = LS_ENOSPC;
	if (rc != 0)
		sb->buf[0] = '\0';
	return rc;
}

int ls_addr_format(const ls_addr *addr, char *buf, size_t size)
{
	lsi_sb sb = {buf, size, 0, 0};
	int rc = 0;

	if (addr == NULL || buf == NULL)
		return lsi_fail(LS_EINVAL);
	if (size == 0)
		return lsi_fail(LS_ENOSPC);
	buf[0] = '\0';
	if (addr->family == LS_AF_UNIX) {
		lsi_format_unix(&sb, addr);
	} else {
		if (addr->family == LS_AF_INET6)
			lsi_sb_putc(&sb, '[');
		rc = lsi_format_ip(&sb, addr);
		if (addr->family == LS_AF_INET6)
			lsi_sb_putc(&sb, ']');
		lsi_sb_putc(&sb, ':');
		lsi_sb_putu(&sb, addr->port);
	}
	return lsi_sb_finish(&sb, rc);
}

int ls_addr_format_ip(const ls_addr *addr, char *buf, size_t size)
{
	lsi_sb sb = {buf, size, 0, 0};

	if (addr == NULL || buf == NULL)
		return lsi_fail(LS_EINVAL);
	if (size == 0)
		return lsi_fail(LS_ENOSPC);
	buf[0] = '\0';
	return lsi_sb_finish(&sb, lsi_format_ip(&sb, addr));
}

/* --- Queries ------------------------------------------------------------- */

int ls_addr_equal(const ls_addr *a, const ls_addr *b)
{
	if (a == NULL || b == NULL || a->family != b->family)
		return 0;
	switch (a->family) {
	case LS_AF_INET:
		return a->port == b->port && memcmp(a->ip, b->ip, 4) == 0;
	case LS_AF_INET6:
		return a->port == b->port && a->scope_id == b->scope_id &&
		       memcmp(a->ip, b->ip, 16) == 0;
	case LS_AF_UNIX:
		return a->path_len == b->path_len && a->path_len <= LS_UNIX_PATH_MAX &&
		       memcmp(a->path, b->path, a->path_len) == 0;
	default:
		return 1; /* two LS_AF_UNSPEC values */
	}
}

static int lsi_is_ip(const ls_addr *addr)
{
	return addr != NULL && (addr->family == LS_AF_INET || addr->family == LS_AF_INET6);
}

uint16_t ls_addr_port(const ls_addr *addr)
{
	return lsi_is_ip(addr) ? addr->port : 0;
}

int ls_addr_set_port(ls_addr *addr, uint16_t port)
{
	if (addr == NULL)
		return lsi_fail(LS_EINVAL);
	if (!lsi_is_ip(addr))
		return lsi_fail(LS_EAFNOSUPPORT);
	addr->port = port;
	return 0;
}

int ls_addr_is_v4mapped(const ls_addr *addr)
{
	return addr != NULL && addr->family == LS_AF_INET6 &&
	       memcmp(addr->ip, lsi_v4mapped_prefix, 12) == 0;
}

int ls_addr_is_unspecified(const ls_addr *addr)
{
	static const uint8_t zero[16];

	if (!lsi_is_ip(addr))
		return 0;
	return memcmp(addr->ip, zero, addr->family == LS_AF_INET ? 4 : 16) == 0;
}

int ls_addr_is_loopback(const ls_addr *addr)
{
	static const uint8_t v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	if (addr == NULL)
		return 0;
	if (addr->family == LS_AF_INET)
		return addr->ip[0] == 127;
	return addr->family == LS_AF_INET6 && memcmp(addr->ip, v6, 16) == 0;
}

int ls_addr_unmap_v4(const ls_addr *in, ls_addr *out)
{
	if (in == NULL || out == NULL || !ls_addr_is_v4mapped(in))
		return lsi_fail(LS_EINVAL);
	ls_addr_ipv4(out, in->ip + 12, in->port);
	return 0;
}

/* --- Internal helpers ---------------------------------------------------- */

const ls_addr *lsi_addr_target(const ls_addr *addr, ls_addr *tmp)
{
	if (!ls_addr_is_unspecified(addr))
		return addr;
	ls_addr_loopback(tmp, addr->family, addr->port);
	return tmp;
}

int lsi_addr_check(const ls_addr *addr, int family)
{
	if (addr == NULL)
		return lsi_fail(LS_EINVAL);
	if (addr->family != family)
		return lsi_fail(LS_EAFNOSUPPORT);
	if (family == LS_AF_UNIX && addr->path_len > LS_UNIX_PATH_MAX)
		return lsi_fail(LS_ENAMETOOLONG);
	return 0;
}
