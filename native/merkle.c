// Batch RFC 6962 hashing for ledger verification. Node's crypto.hash costs about a microsecond of
// call overhead per hash; verifying a tree needs two hashes per leaf, so one call per chunk of
// thousands of leaves (with OpenSSL's SHA-256, SHA-NI where the CPU has it) is several times
// faster. The JavaScript implementation in src/ledger/merkle.ts stays the reference; tests check
// that both agree, and everything works without this addon.
#define OPENSSL_API_COMPAT 0x10100000L
#define OPENSSL_SUPPRESS_DEPRECATED
#include <node_api.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "evident_native: bad arguments");   \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

// Accepts exactly the typed array kind asked for: a Uint8Array passed where uint32s are read would
// be misread (and possibly unaligned).
static int typed_as(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *bytes) {
  napi_typedarray_type type;
  size_t length, offset;
  napi_value buffer;
  if (napi_get_typedarray_info(env, v, &type, &length, data, &buffer, &offset) != napi_ok || type != want) return 0;
  *bytes = want == napi_uint32_array ? length * 4 : length;
  return 1;
}
#define BYTES(v, d, n) typed_as(env, v, napi_uint8_array, d, n)
#define U32S(v, d, n) typed_as(env, v, napi_uint32_array, d, n)

static void leaf_hash(const uint8_t *leaf, size_t len, uint8_t *out) {
  static const uint8_t prefix = 0x00;
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, &prefix, 1);
  SHA256_Update(&c, leaf, len);
  SHA256_Final(out, &c);
}

static void node_hash(const uint8_t *l, const uint8_t *r, uint8_t *out) {
  uint8_t buf[65];
  buf[0] = 0x01;
  memcpy(buf + 1, l, 32);
  memcpy(buf + 33, r, 32);
  SHA256(buf, 65, out);
}

// leafHashes(data: Uint8Array, offsets: Uint32Array(n+1), out: Uint8Array(n*32)): void
static napi_value LeafHashes(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *data, *offs, *out;
  size_t dataLen, offsLen, outLen;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 3 || !BYTES(argv[0], &data, &dataLen) || !U32S(argv[1], &offs, &offsLen) || !BYTES(argv[2], &out, &outLen) || offsLen < 4) {
    napi_throw_type_error(env, NULL, "leafHashes(data: Uint8Array, offsets: Uint32Array (n+1), out: Uint8Array)");
    return NULL;
  }
  const uint32_t *o = (const uint32_t *)offs;
  size_t n = offsLen / 4;
  if (n == 0 || outLen < (n - 1) * 32) {
    napi_throw_range_error(env, NULL, "out is too small");
    return NULL;
  }
  for (size_t i = 0; i + 1 < n; i++) {
    if (o[i] > o[i + 1] || o[i + 1] > dataLen) {
      napi_throw_range_error(env, NULL, "offsets out of range");
      return NULL;
    }
    leaf_hash((const uint8_t *)data + o[i], o[i + 1] - o[i], (uint8_t *)out + 32 * i);
  }
  return NULL;
}

// chunkFrontier(leafHashes: Uint8Array(n*32), cuts: Uint32Array (ascending counts 1..n),
//               out: Uint8Array): number of bytes written.
// For each cut, then for n itself, writes the frontier (largest subtree first) of the first
// `cut` hashes, each preceded by its hash count as one byte. Chunks start at an index aligned to a
// power of two at least n, so these are exactly the subtrees the chunk adds to the whole tree.
static napi_value ChunkFrontier(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *hashes, *cutsp, *out;
  size_t hashesLen, cutsLen, outLen;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 3 || !BYTES(argv[0], &hashes, &hashesLen) || !U32S(argv[1], &cutsp, &cutsLen) || !BYTES(argv[2], &out, &outLen)) {
    napi_throw_type_error(env, NULL, "chunkFrontier(leafHashes: Uint8Array, cuts: Uint32Array, out: Uint8Array)");
    return NULL;
  }
  size_t n = hashesLen / 32, ncuts = cutsLen / 4, written = 0, top = 0, c = 0;
  const uint32_t *cuts = (const uint32_t *)cutsp;
  uint8_t stack[64][32];
  uint8_t *o = (uint8_t *)out;
  for (size_t i = 0; i < n; i++) {
    uint8_t h[32];
    memcpy(h, (const uint8_t *)hashes + 32 * i, 32);
    for (size_t k = i; k & 1; k >>= 1) node_hash(stack[--top], h, h);
    memcpy(stack[top++], h, 32);
    int emit = (i + 1 == n);
    while (c < ncuts && cuts[c] <= i + 1) {
      if (cuts[c] == i + 1) emit = 1;
      c++;
    }
    if (emit) {
      if (written + 1 + 32 * top > outLen) {
        napi_throw_range_error(env, NULL, "out is too small");
        return NULL;
      }
      o[written++] = (uint8_t)top;
      memcpy(o + written, stack, 32 * top);
      written += 32 * top;
    }
  }
  napi_value result;
  CHECK(napi_create_uint32(env, (uint32_t)written, &result));
  return result;
}

static int8_t B64[256];

static void init_b64(void) {
  const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  memset(B64, -1, sizeof B64);
  for (int i = 0; i < 64; i++) B64[(uint8_t)a[i]] = (int8_t)i;
}

// Decodes strict, padded base64 from in[0..len) into out; returns bytes written or -1.
static long b64decode(const uint8_t *in, size_t len, uint8_t *out) {
  if (len % 4 != 0) return -1;
  long w = 0;
  for (size_t i = 0; i < len; i += 4) {
    int a = B64[in[i]], b = B64[in[i + 1]];
    if (a < 0 || b < 0) return -1;
    out[w++] = (uint8_t)((a << 2) | (b >> 4));
    if (in[i + 2] == '=') {
      if (i + 4 != len || in[i + 3] != '=' || (b & 15)) return -1;
      break;
    }
    int c = B64[in[i + 2]];
    if (c < 0) return -1;
    out[w++] = (uint8_t)(((b & 15) << 4) | (c >> 2));
    if (in[i + 3] == '=') {
      if (i + 4 != len || (c & 3)) return -1;
      break;
    }
    int d = B64[in[i + 3]];
    if (d < 0) return -1;
    out[w++] = (uint8_t)(((c & 3) << 6) | d);
  }
  return w;
}

// parseLeafLines(text: Uint8Array, firstIndex: number, leaves: Uint8Array, offsets: Uint32Array):
// parses lines of exactly {"index":N,"leaf":"<base64>"} (the bundle format), N running from
// firstIndex, decoding each leaf into `leaves` and its bounds into `offsets`. Returns the number of
// leaves, or -(k+1) when line k (0-based) is malformed or out of sequence (a blank line too).
// A negative firstIndex means: start from whatever index the first line carries.
static napi_value ParseLeafLines(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  void *text, *leaves, *offs;
  size_t textLen, leavesLen, offsLen;
  double first;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 4 || !BYTES(argv[0], &text, &textLen) || napi_get_value_double(env, argv[1], &first) != napi_ok ||
      !BYTES(argv[2], &leaves, &leavesLen) || !U32S(argv[3], &offs, &offsLen) || offsLen < 4) {
    napi_throw_type_error(env, NULL, "parseLeafLines(text, firstIndex, leaves, offsets)");
    return NULL;
  }
  static const char P1[] = "{\"index\":";
  static const char P2[] = ",\"leaf\":\"";
  const uint8_t *t = (const uint8_t *)text, *end = t + textLen;
  uint8_t *out = (uint8_t *)leaves;
  uint32_t *o = (uint32_t *)offs;
  size_t maxLeaves = offsLen / 4 - 1, n = 0, line = 0, w = 0;
  double expect = first;
  napi_value result;
  while (t < end) {
    const uint8_t *nl = memchr(t, '\n', (size_t)(end - t));
    const uint8_t *e = nl ? nl : end;
    long bad = -(long)(line + 1);
    if (e == t) goto fail; // blank lines are not part of the format
    size_t len = (size_t)(e - t);
    if (n >= maxLeaves || len < sizeof P1 - 1 + 1 + sizeof P2 - 1 + 2 || memcmp(t, P1, sizeof P1 - 1) != 0) goto fail;
    const uint8_t *p = t + sizeof P1 - 1;
    double idx = 0;
    const uint8_t *digits = p;
    while (p < e && *p >= '0' && *p <= '9' && p - digits < 16) idx = idx * 10 + (*p++ - '0');
    if (n == 0 && expect < 0) expect = idx; // firstIndex -1: take it from the first line
    if (p == digits || (*digits == '0' && p - digits > 1) || idx != expect) goto fail;
    if ((size_t)(e - p) < sizeof P2 - 1 + 2 || memcmp(p, P2, sizeof P2 - 1) != 0) goto fail;
    p += sizeof P2 - 1;
    if (e[-1] != '}' || e[-2] != '"') goto fail;
    size_t blen = (size_t)(e - 2 - p);
    if (w + blen / 4 * 3 > leavesLen) goto fail;
    long dec = b64decode(p, blen, out + w);
    if (dec < 0) goto fail;
    o[n] = (uint32_t)w;
    w += (size_t)dec;
    n++;
    expect += 1;
    t = e + 1;
    line++;
    continue;
  fail:
    CHECK(napi_create_int64(env, bad, &result));
    return result;
  }
  o[n] = (uint32_t)w;
  CHECK(napi_create_int64(env, (int64_t)n, &result));
  return result;
}

NAPI_MODULE_INIT() {
  init_b64();
  napi_value f;
  napi_create_function(env, "parseLeafLines", NAPI_AUTO_LENGTH, ParseLeafLines, NULL, &f);
  napi_set_named_property(env, exports, "parseLeafLines", f);
  napi_create_function(env, "leafHashes", NAPI_AUTO_LENGTH, LeafHashes, NULL, &f);
  napi_set_named_property(env, exports, "leafHashes", f);
  napi_create_function(env, "chunkFrontier", NAPI_AUTO_LENGTH, ChunkFrontier, NULL, &f);
  napi_set_named_property(env, exports, "chunkFrontier", f);
  return exports;
}
