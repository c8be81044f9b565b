/*
 * fuzz_addr.c - libFuzzer target for address text: whatever ls_addr_parse
 * accepts must format and parse back to the same address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), buf[LS_ADDRSTRLEN];
	ls_addr a, b;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ls_addr_parse(&a, text) == 0 && a.family != LS_AF_UNIX) {
		if (ls_addr_format(&a, buf, sizeof(buf)) != 0 || ls_addr_parse(&b, buf) != 0 ||
		    !ls_addr_equal(&a, &b))
			abort();
	}
	free(text);
	return 0;
}
