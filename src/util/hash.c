/* hash.c: SHA-256 content hashes and base64, through OpenSSL's libcrypto. */
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

#include <stdlib.h>

#include <openssl/evp.h>

struct hash_ctx {
	EVP_MD_CTX *md;
};

static void hex(const unsigned char *d, unsigned n, char *out)
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
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	hex(md, n, out);
}

struct hash_ctx *hash_new(void)
{
	struct hash_ctx *h = xmalloc(sizeof *h);
	h->md = EVP_MD_CTX_new();
	/* OpenSSL fails here only when out of memory */
	if (!h->md || !EVP_DigestInit_ex(h->md, EVP_sha256(), NULL))
		xalloc_die();
	return h;
}

void hash_update(struct hash_ctx *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->md, data, len);
}

void hash_final_hex(struct hash_ctx *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_DigestFinal_ex(h->md, md, &n);
	hex(md, n, out);
}

void hash_free(struct hash_ctx *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

char *base64_mime(const void *data, size_t len)
{
	/* 57 bytes make one line of 76 characters */
	size_t lines = (len + 56) / 57;
	char *out = xmalloc(lines * 78 + 1);
	const unsigned char *p = data;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 57) {
		size_t k = len - i < 57 ? len - i : 57;
		o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, p + i, (int)k);
		out[o++] = '\r';
		out[o++] = '\n';
	}
	out[o] = '\0';
	return out;
}
