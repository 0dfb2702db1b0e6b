/* hash.c: SHA-256 content hashes and base64, through Nettle. */
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

#include <stdint.h>
#include <stdlib.h>

#include <nettle/base64.h>
#include <nettle/sha2.h>

/*
 * Nettle rather than OpenSSL's libcrypto: every command hashes (feeds,
 * plans, ids), and libcrypto alone held about half of the relocations the
 * dynamic loader made at each start (16,922 of 36,375 relative ones), and
 * reads its configuration at first use. Measured with `perf stat` on this
 * project's release build: `--version` 13.2 -> 10.3 ms, `propose` on
 * examples/family-cp 67 -> 62 ms, the same output. Nettle's SHA-256 keeps
 * no state beyond its context. libcurl, loaded only when the network is
 * used (src/net/curl_lib.c), brings its own TLS library then.
 */

struct hash_ctx {
	struct sha256_ctx sha;
};

static void hex(const uint8_t *d, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = 0;
}

void hash_sha256_hex(const void *data, size_t len, char out[65])
{
	struct hash_ctx h;
	sha256_init(&h.sha);
	hash_update(&h, data, len);
	hash_final_hex(&h, out);
}

struct hash_ctx *hash_new(void)
{
	struct hash_ctx *h = xmalloc(sizeof *h);
	sha256_init(&h->sha);
	return h;
}

void hash_update(struct hash_ctx *h, const void *data, size_t len)
{
	if (len)
		sha256_update(&h->sha, len, data);
}

void hash_final_hex(struct hash_ctx *h, char out[65])
{
	uint8_t md[SHA256_DIGEST_SIZE];
	sha256_digest(&h->sha, sizeof md, md);
	hex(md, sizeof md, out);
}

void hash_free(struct hash_ctx *h)
{
	free(h);
}

char *base64_mime(const void *data, size_t len)
{
	/* 57 bytes make one line of 76 characters */
	size_t lines = (len + 56) / 57;
	char *out = xmalloc(lines * 78 + 1);
	const uint8_t *p = data;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 57) {
		size_t k = len - i < 57 ? len - i : 57;
		base64_encode_raw(out + o, k, p + i);
		o += BASE64_ENCODE_RAW_LENGTH(k);
		out[o++] = '\r';
		out[o++] = '\n';
	}
	out[o] = '\0';
	return out;
}
