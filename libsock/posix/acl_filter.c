/*
 * acl_filter.c (POSIX) - access rules enforced by the kernel: on Linux
 * (HAVE_SO_ATTACH_FILTER) the rules become a classic BPF socket filter on
 * the listening socket. A TCP listener runs its filter on every incoming
 * SYN, so a denied client gets no SYN-ACK at all. Elsewhere LS_ENOTSUP:
 * common code checks after accept.
 *
 * The program, in order: read the IP version; IPv4 packets load the source
 * address and binary-search the address segments the rules decide (common
 * code turns first-match rules into sorted segments), so the cost per SYN
 * grows with the logarithm of the rules; IPv6 packets test each rule in
 * turn, word by word, each rule followed by its own return so that no jump
 * is longer than the 8-bit offsets classic BPF allows. Anything else is let
 * through (the check after accept still applies). A program longer than
 * BPF_MAXINSNS is LS_ENOTSUP.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lsi_posix.h"

#if HAVE_SO_ATTACH_FILTER
#include <linux/filter.h>

#define LSI_BPF_ACCEPT 0xffffffffu
#define LSI_BPF_DROP   0u

typedef struct lsi_bpf {
	struct sock_filter insn[BPF_MAXINSNS];
	unsigned n;
	int overflow;
} lsi_bpf;

static void lsi_emit(lsi_bpf *b, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (b->n >= BPF_MAXINSNS) {
		b->overflow = 1;
		return;
	}
	b->insn[b->n++] = (struct sock_filter){code, jt, jf, k};
}

static uint32_t lsi_ret(int action)
{
	return action == LS_ACL_ALLOW ? LSI_BPF_ACCEPT : LSI_BPF_DROP;
}

/* The 32-bit word w of a rule's address and its mask, host order. */
static void lsi_word(const lsi_acl_rule *r, unsigned w, uint32_t *value, uint32_t *mask)
{
	unsigned bits = r->bits > w * 32 ? r->bits - w * 32 : 0;

	*mask = bits >= 32 ? 0xffffffffu : (bits == 0 ? 0 : ~(0xffffffffu >> bits));
	*value = ((uint32_t)r->ip[w * 4] << 24 | (uint32_t)r->ip[w * 4 + 1] << 16 |
	          (uint32_t)r->ip[w * 4 + 2] << 8 | r->ip[w * 4 + 3]) &
	         *mask;
}

/*
 * Instructions a search tree over segments [l, r] takes: a return for one
 * segment; else a compare, a long jump when the left subtree is beyond the
 * 8-bit reach of a conditional jump, and both subtrees.
 */
static unsigned lsi_tree_size(size_t l, size_t r)
{
	size_t m = (l + r + 1) / 2;
	unsigned left;

	if (l == r)
		return 1;
	left = lsi_tree_size(l, m - 1);
	return (left > 255 ? 2 : 1) + left + lsi_tree_size(m, r);
}

/* A binary search on the source address (in A) over the sorted segments. */
static void lsi_emit_tree(lsi_bpf *b, const lsi_acl_seg *sg, size_t l, size_t r)
{
	size_t m = (l + r + 1) / 2;
	unsigned left;

	if (b->overflow)
		return;
	if (l == r) {
		lsi_emit(b, BPF_RET | BPF_K, 0, 0, lsi_ret(sg[l].action));
		return;
	}
	left = lsi_tree_size(l, m - 1);
	if (left > 255) {
		/* True: the next instruction jumps over the left subtree. */
		lsi_emit(b, BPF_JMP | BPF_JGE | BPF_K, 0, 1, sg[m].lo);
		lsi_emit(b, BPF_JMP | BPF_JA, 0, 0, left);
	} else {
		lsi_emit(b, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)left, 0, sg[m].lo);
	}
	lsi_emit_tree(b, sg, l, m - 1);
	lsi_emit_tree(b, sg, m, r);
}

/*
 * IPv4: the rules become sorted address segments (common code resolves
 * first-match order), searched in O(log n) compares per packet: 1 000
 * rules cost about ten compares, not a thousand.
 */
static void lsi_emit_v4(lsi_bpf *b, const lsi_acl_rule *rules, size_t n, int def)
{
	lsi_acl_seg *sg;
	size_t count;

	if (lsi_acl_v4_segments(rules, n, def, &sg, &count) != 0) {
		b->overflow = 1;
		return;
	}
	lsi_emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_NET_OFF + 12));
	lsi_emit_tree(b, sg, 0, count - 1);
	free(sg);
}

/* One IPv6 rule: each word that the prefix covers must match. */
static void lsi_emit_v6_rule(lsi_bpf *b, const lsi_acl_rule *r)
{
	unsigned words = (r->bits + 31) / 32, w, left;
	uint32_t value, mask;

	for (w = 0; w < words; w++) {
		lsi_word(r, w, &value, &mask);
		/* What follows this word's compare in the rule: 3 per later word, and the return.
		 */
		left = (words - w - 1) * 3 + 1;
		lsi_emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_NET_OFF + 8 + 4 * w));
		lsi_emit(b, BPF_ALU | BPF_AND | BPF_K, 0, 0, mask);
		lsi_emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)left, value);
	}
	lsi_emit(b, BPF_RET | BPF_K, 0, 0, lsi_ret(r->action));
}

static void lsi_emit_v6(lsi_bpf *b, const lsi_acl_rule *rules, size_t n, int def)
{
	size_t i;

	lsi_emit(b, BPF_LD | BPF_B | BPF_ABS, 0, 0, (uint32_t)SKF_NET_OFF);
	lsi_emit(b, BPF_ALU | BPF_RSH | BPF_K, 0, 0, 4);
	lsi_emit(b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 6);
	lsi_emit(b, BPF_RET | BPF_K, 0, 0, LSI_BPF_ACCEPT);
	for (i = 0; i < n; i++)
		if (rules[i].family == LS_AF_INET6)
			lsi_emit_v6_rule(b, &rules[i]);
	lsi_emit(b, BPF_RET | BPF_K, 0, 0, lsi_ret(def));
}

static void lsi_compile(lsi_bpf *b, const lsi_acl_rule *rules, size_t n, int def)
{
	unsigned ja;

	b->n = 0;
	b->overflow = 0;
	lsi_emit(b, BPF_LD | BPF_B | BPF_ABS, 0, 0, (uint32_t)SKF_NET_OFF);
	lsi_emit(b, BPF_ALU | BPF_RSH | BPF_K, 0, 0, 4);
	lsi_emit(b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 4);
	ja = b->n;
	/* BPF_JA takes a 32-bit offset: it can jump over any IPv4 block. */
	lsi_emit(b, BPF_JMP | BPF_JA, 0, 0, 0);
	lsi_emit_v4(b, rules, n, def);
	if (!b->overflow)
		b->insn[ja].k = b->n - ja - 1;
	lsi_emit_v6(b, rules, n, def);
}

int lsi_plat_acl_filter(lsi_fd fd, const lsi_acl_rule *rules, size_t n, int default_action)
{
	static lsi_bpf b; /* 32 KiB: not on the stack */
	static atomic_flag busy = ATOMIC_FLAG_INIT;
	struct sock_fprog prog;
	int rc, dummy = 0;

	if (n == 0 && default_action == LS_ACL_ALLOW) {
		/* ENOENT: there was no filter, which is what was asked. */
		setsockopt((int)fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy));
		return 0;
	}
	while (atomic_flag_test_and_set(&busy))
		;
	lsi_compile(&b, rules, n, default_action);
	prog.len = (unsigned short)b.n;
	prog.filter = b.insn;
	if (b.overflow)
		rc = LS_ENOTSUP;
	else
		rc = lsi_plat_setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	atomic_flag_clear(&busy);
	return rc;
}

void lsi_plat_acl_unfilter(lsi_fd fd)
{
	int dummy = 0;

	setsockopt((int)fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy));
}

#else /* !HAVE_SO_ATTACH_FILTER */

int lsi_plat_acl_filter(lsi_fd fd, const lsi_acl_rule *rules, size_t n, int default_action)
{
	return LS_ENOTSUP;
}

void lsi_plat_acl_unfilter(lsi_fd fd)
{
}

#endif

/*
 * No condition on accept anywhere on POSIX: Linux already drops denied SYNs
 * with the filter above, without switching anything off, and macOS and the
 * BSDs have no accept call that consults the program before the handshake
 * (accept filters judge data, not peers). Asking to switch it off is
 * trivially done.
 */
int lsi_plat_acl_conditional(lsi_fd fd, int on)
{
	lsi_set_native_error(0);
	return on ? LS_ENOTSUP : 0;
}

int lsi_plat_accept_checked(lsi_fd fd, lsi_fd *out, ls_addr *peer, int nonblocking,
                            lsi_peer_check check, void *arg)
{
	lsi_set_native_error(0);
	return LS_ENOTSUP;
}
