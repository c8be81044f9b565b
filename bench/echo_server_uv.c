/*
 * echo_server_uv.c - the libuv TCP echo server of the echo benchmark
 * (bench/echo_bench.c starts it as a process of its own).
 *
 * The fastest echo libuv's API allows, doing the same work as the servers
 * in echo_server.c: one uv_tcp_t per connection, read with uv_read_start
 * into one 64 KiB buffer shared by all connections (alloc_cb hands out the
 * same static buffer: the loop is single-threaded and the data is written
 * before the next read), the echo written with uv_try_write and, only when
 * it does not all fit, the rest copied into a uv_write request with reading
 * paused until it completes. TCP_NODELAY on every connection.
 *
 * Listens on 127.0.0.1, an OS-chosen port; prints "port N" on stdout and
 * runs until killed (the driver stops it with SIGTERM by pid).
 */
#define _GNU_SOURCE /* uv.h needs pthread_rwlock_t, hidden by -std=c11 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#define READ_BUF (64 * 1024)

static char rbuf[READ_BUF];
static uv_loop_t *loop;

/* A write of the part uv_try_write could not send, with its own copy. */
struct pending {
	uv_write_t req;
	uv_buf_t buf;
};

static void uv_check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "echo_server_uv: %s: %s\n", what, uv_strerror(rc));
		exit(1);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	*buf = uv_buf_init(rbuf, sizeof(rbuf));
}

static void on_close(uv_handle_t *h)
{
	free(h);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);

static void on_write(uv_write_t *req, int status)
{
	struct pending *p = (struct pending *)req;
	uv_stream_t *s = req->handle;

	free(p->buf.base);
	free(p);
	if (status < 0) {
		if (!uv_is_closing((uv_handle_t *)s))
			uv_close((uv_handle_t *)s, on_close);
		return;
	}
	uv_check(uv_read_start(s, on_alloc, on_read), "uv_read_start");
}

/* Queue what uv_try_write left, pausing reads until it is written. */
static int write_rest(uv_stream_t *s, const char *data, size_t len)
{
	struct pending *p = malloc(sizeof(*p));
	char *copy = malloc(len);

	if (p == NULL || copy == NULL) {
		fprintf(stderr, "echo_server_uv: out of memory\n");
		exit(1);
	}
	memcpy(copy, data, len);
	p->buf = uv_buf_init(copy, (unsigned)len);
	uv_read_stop(s);
	return uv_write(&p->req, s, &p->buf, 1, on_write);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	uv_buf_t out;
	int w;

	if (n == 0)
		return; /* EAGAIN */
	if (n > 0) {
		out = uv_buf_init(buf->base, (unsigned)n);
		w = uv_try_write(s, &out, 1);
		if (w == UV_EAGAIN)
			w = 0;
		if (w >= 0 && w == n)
			return;
		if (w >= 0 && write_rest(s, buf->base + w, (size_t)(n - w)) == 0)
			return;
	}
	/* End of stream, reset or a write error. */
	if (!uv_is_closing((uv_handle_t *)s))
		uv_close((uv_handle_t *)s, on_close);
}

static void on_connection(uv_stream_t *server, int status)
{
	uv_tcp_t *c;

	if (status < 0)
		return;
	c = malloc(sizeof(*c));
	if (c == NULL) {
		fprintf(stderr, "echo_server_uv: out of memory\n");
		exit(1);
	}
	uv_check(uv_tcp_init(loop, c), "uv_tcp_init");
	if (uv_accept(server, (uv_stream_t *)c) != 0) {
		uv_close((uv_handle_t *)c, on_close);
		return;
	}
	uv_check(uv_tcp_nodelay(c, 1), "uv_tcp_nodelay");
	uv_check(uv_read_start((uv_stream_t *)c, on_alloc, on_read), "uv_read_start");
}

int main(void)
{
	static uv_tcp_t server;
	struct sockaddr_in a;
	int alen = sizeof(a);

	loop = uv_default_loop();
	uv_check(uv_ip4_addr("127.0.0.1", 0, &a), "uv_ip4_addr");
	uv_check(uv_tcp_init(loop, &server), "uv_tcp_init");
	uv_check(uv_tcp_bind(&server, (const struct sockaddr *)&a, 0), "uv_tcp_bind");
	uv_check(uv_listen((uv_stream_t *)&server, SOMAXCONN, on_connection), "uv_listen");
	uv_check(uv_tcp_getsockname(&server, (struct sockaddr *)&a, &alen), "getsockname");
	printf("port %u\n", (unsigned)ntohs(a.sin_port));
	fflush(stdout);
	return uv_run(loop, UV_RUN_DEFAULT);
}
