// GEMM with Intel AMX tiles: C(m, n) (+)= A(m, k) · B(k, n), A and B rounded to bfloat16 (round to
// nearest even, as `vcvtne2ps2bf16` does), products summed in float32 (`tdpbf16ps`). The operands
// are given by strides as in GEMM/BlockedGEMM.swift:
//   A(i, p) = a[i·aRow + p·aDepth], B(p, j) = b[p·bDepth + j·bCol], C(i, j) = c[i·ldc + j].
//
// Blocking (BLIS order): columns in blocks of NC, depth in blocks of KC, B's block packed once per
// (jc, pc); rows in blocks of MC, A's block packed per (jc, pc, ic). The tiles compute so fast that
// packing (a conversion per 500 multiply-adds costs about as much as they do) sets the sizes: a
// wide NC packs A fewer times, a small MC packs A's block right before it is used. KC 1024, NC
// 4096, MC 64 were the fastest of 12 settings on SmolLM2's fine-tuning shapes (session 17; a loaded
// VM, so +-15%). Packed tiles are 16 lanes x
// 32 depths (1 KiB), zero past the matrix: A's as 16 rows of 32 bf16 (row i = A(i, p0 ..< p0+32)),
// B's in the pair ("VNNI") layout tdpbf16ps reads, row q = (B(2q, j), B(2q+1, j)) for j = 0 ..< 16.
// The register block is 2 x 2 tiles of C (32 x 32 floats): tiles 0-3 C, 4-5 A, 6-7 B.
//
// Compiled for the baseline with per-function target attributes; call the kernels only after
// `e2h_amx_bf16_available()` returned 1 (it also asks Linux for the tile state).

#include "CCPUFeatures.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <cpuid.h>

#define E2H_AMX __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16,amx-tile,amx-bf16")))

#ifndef E2H_AMX_KC
#define E2H_AMX_KC 1024
#define E2H_AMX_NC 4096
#define E2H_AMX_MC 64
#endif
enum { KC = E2H_AMX_KC, NC = E2H_AMX_NC, MC = E2H_AMX_MC, TILE = 512 /* bf16 values per packed tile */ };

int e2h_amx_bf16_available(void) {
    static int state = -1;  // -1 unknown; written once, the same value by every thread
    if (state >= 0) return state;
    unsigned eax, ebx, ecx, edx;
    int ok = __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)
        && (edx & (1u << 24)) && (edx & (1u << 22))  // AMX-TILE, AMX-BF16
        && e2h_cpu_has_avx512();
    if (ok) {
        __builtin_cpu_init();
        ok = __builtin_cpu_supports("avx512bf16");
    }
    if (ok) {
        // Linux hands out the 8 KiB tile state only on request (ARCH_REQ_XCOMP_PERM, XTILEDATA).
        ok = syscall(SYS_arch_prctl, 0x1023, 18) == 0;
    }
    state = ok;
    return ok;
}

typedef struct {
    uint8_t palette, startRow, reserved[14];
    uint16_t bytesPerRow[16];
    uint8_t rows[16];
} __attribute__((packed)) E2HTileConfig;

E2H_AMX static void e2h_amx_configure(void) {
    E2HTileConfig config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) { config.bytesPerRow[t] = 64; config.rows[t] = 16; }
    _tile_loadconfig(&config);
}

/// r[i] (16 words of 32 bits each) → r[j][i] = old r[i][j]: a 16 x 16 transpose in four stages
/// (32-bit and 64-bit unpacks within 128-bit lanes, then two 128-bit lane shuffles).
E2H_AMX static inline void e2h_transpose16(__m512i *r) {
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int h = 0; h < 2; h++) {
        for (int s = 0; s < 4; s++) {
            t[8 * h + s] = _mm512_shuffle_i32x4(r[8 * h + s], r[8 * h + 4 + s], 0x88);
            t[8 * h + 4 + s] = _mm512_shuffle_i32x4(r[8 * h + s], r[8 * h + 4 + s], 0xDD);
        }
    }
    for (int s = 0; s < 8; s++) {
        r[s] = _mm512_shuffle_i32x4(t[s], t[8 + s], 0x88);
        r[8 + s] = _mm512_shuffle_i32x4(t[s], t[8 + s], 0xDD);
    }
}

/// Rounds 16 + 16 floats to bf16 and interleaves them: word l = (bf16(lo[l]), bf16(hi[l])).
E2H_AMX static inline __m512i e2h_pairs(__m512 lo, __m512 hi) {
    // 16-bit indices 0, 16, 1, 17, ...: word l of `mix` = l | (l + 16) << 16.
    const __m512i mix = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                         _mm512_set1_epi32(16 << 16) + _mm512_slli_epi32(
                                             _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 16));
    __m512i both = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);  // words 0..15 = lo, 16..31 = hi
    return _mm512_permutexvar_epi16(mix, both);
}

/// One packed tile from `lanes` (0 ... 16) lanes and `depth` (1 ... 32) depths of a float source
/// (element (lane l, depth p) at src[l·laneStride + p·depthStride]), zero past them. `pairMajor`:
/// B's layout (row q = the 16 lanes' depth pairs 2q, 2q+1); else A's (row l = lane l's 32 depths).
E2H_AMX static void e2h_amx_pack_tile(const float *src, long laneStride, long depthStride,
                                      long lanes, long depth, int pairMajor, uint16_t *dst) {
    __m512i r[16];
    if (depthStride == 1) {
        // Lane-major rows: row l = lane l's 32 depths as bf16 = 16 depth pairs.
        const __mmask16 lo = (__mmask16)(depth >= 16 ? 0xFFFF : (1u << depth) - 1);
        const __mmask16 hi = (__mmask16)(depth >= 32 ? 0xFFFF : depth <= 16 ? 0 : (1u << (depth - 16)) - 1);
        for (long l = 0; l < 16; l++) {
            if (l < lanes) {
                const float *row = src + l * laneStride;
                __m512 a = _mm512_maskz_loadu_ps(lo, row), b = _mm512_maskz_loadu_ps(hi, row + 16);
                r[l] = (__m512i)_mm512_cvtne2ps_pbh(b, a);
            } else {
                r[l] = _mm512_setzero_si512();
            }
        }
        if (pairMajor) e2h_transpose16(r);
    } else if (laneStride == 1) {
        // Pair-major rows: row q = the lanes' (depth 2q, depth 2q + 1).
        const __mmask16 mask = (__mmask16)(lanes >= 16 ? 0xFFFF : (1u << lanes) - 1);
        for (long q = 0; q < 16; q++) {
            __m512 even = 2 * q < depth ? _mm512_maskz_loadu_ps(mask, src + 2 * q * depthStride) : _mm512_setzero_ps();
            __m512 odd = 2 * q + 1 < depth ? _mm512_maskz_loadu_ps(mask, src + (2 * q + 1) * depthStride) : _mm512_setzero_ps();
            r[q] = e2h_pairs(even, odd);
        }
        if (!pairMajor) e2h_transpose16(r);
    } else {
        // Neither stride is 1 (not a layout GEMM's forms produce): element by element.
        float block[16][32];
        for (long l = 0; l < 16; l++)
            for (long p = 0; p < 32; p++)
                block[l][p] = l < lanes && p < depth ? src[l * laneStride + p * depthStride] : 0;
        for (long l = 0; l < 16; l++)
            r[l] = (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(&block[l][16]), _mm512_loadu_ps(&block[l][0]));
        if (pairMajor) e2h_transpose16(r);
    }
    for (int i = 0; i < 16; i++) _mm512_storeu_si512(dst + 32 * i, r[i]);
}

/// A block of `lanes` lanes x `depth` depths into tiles [lane tile][depth chunk], `laneTiles` lane
/// tiles (the ones past `lanes` zero). The source is read in its own order: lane by lane when the
/// depths are contiguous, depth rows across all lanes when the lanes are (whole rows, not a column
/// of cache lines a page apart).
E2H_AMX static void e2h_amx_pack_block(const float *src, long laneStride, long depthStride,
                                       long lanes, long depth, long laneTiles, int pairMajor, uint16_t *dst) {
    long chunks = (depth + 31) / 32;
    int lanesOuter = depthStride == 1 || laneStride != 1;
    long outer = lanesOuter ? laneTiles : chunks, inner = lanesOuter ? chunks : laneTiles;
    for (long o = 0; o < outer; o++) {
        for (long i = 0; i < inner; i++) {
            long t = lanesOuter ? o : i, kk = lanesOuter ? i : o;
            long tileLanes = lanes - 16 * t, d = depth - 32 * kk;
            tileLanes = tileLanes < 0 ? 0 : tileLanes > 16 ? 16 : tileLanes;
            e2h_amx_pack_tile(src + 16 * t * laneStride + 32 * kk * depthStride, laneStride, depthStride,
                              tileLanes, d > 32 ? 32 : d, pairMajor, dst + (t * chunks + kk) * TILE);
        }
    }
}

/// C block (rows x columns ≤ 32 x 32) at c through the 2 x 2 register tiles: `chunks` depth chunks
/// of the A tile pair at a and the B tile pair at b (each pair `stride` values apart).
E2H_AMX static void e2h_amx_block(const uint16_t *a, const uint16_t *b, long stride, long chunks,
                                  float *c, long ldc, long rows, long columns, int accumulate) {
    float scratch[32 * 32];
    int inside = rows == 32 && columns == 32;
    float *out = inside ? c : scratch;
    long ld = inside ? ldc : 32;
    if (accumulate) {
        if (!inside) {
            for (long i = 0; i < 32; i++)
                for (long j = 0; j < 32; j++) scratch[i * 32 + j] = i < rows && j < columns ? c[i * ldc + j] : 0;
        }
        _tile_loadd(0, out, ld * 4);
        _tile_loadd(1, out + 16, ld * 4);
        _tile_loadd(2, out + 16 * ld, ld * 4);
        _tile_loadd(3, out + 16 * ld + 16, ld * 4);
    } else {
        _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
    }
    for (long kk = 0; kk < chunks; kk++) {
        _tile_loadd(4, a + kk * TILE, 64);
        _tile_loadd(5, a + stride + kk * TILE, 64);
        _tile_loadd(6, b + kk * TILE, 64);
        _tile_loadd(7, b + stride + kk * TILE, 64);
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    _tile_stored(0, out, ld * 4);
    _tile_stored(1, out + 16, ld * 4);
    _tile_stored(2, out + 16 * ld, ld * 4);
    _tile_stored(3, out + 16 * ld + 16, ld * 4);
    if (!inside) {
        for (long i = 0; i < rows; i++) memcpy(c + i * ldc, scratch + i * 32, (size_t)columns * sizeof(float));
    }
}

// Per-thread packing buffers, grown on demand (64-byte aligned; kept for the thread's next product,
// freed when the thread exits).
static __thread uint16_t *e2h_amx_a, *e2h_amx_b;
static __thread size_t e2h_amx_a_count, e2h_amx_b_count;
static pthread_key_t e2h_amx_key;
static pthread_once_t e2h_amx_key_once = PTHREAD_ONCE_INIT;

static void e2h_amx_free_buffers(void *unused) {
    (void)unused;
    free(e2h_amx_a); free(e2h_amx_b);
    e2h_amx_a = e2h_amx_b = NULL;
    e2h_amx_a_count = e2h_amx_b_count = 0;
}

static void e2h_amx_make_key(void) { pthread_key_create(&e2h_amx_key, e2h_amx_free_buffers); }

/// `*buffer` with room for at least `count` values (rounded up to 32, 64 bytes).
static uint16_t *e2h_amx_reserve(uint16_t **buffer, size_t *capacity, size_t count) {
    if (*capacity < count) {
        pthread_once(&e2h_amx_key_once, e2h_amx_make_key);
        pthread_setspecific(e2h_amx_key, (void *)1);  // any non-null value: the destructor runs at exit
        free(*buffer);
        *capacity = (count + 31) / 32 * 32;
        *buffer = aligned_alloc(64, *capacity * sizeof(uint16_t));
        if (!*buffer) abort();  // out of memory: as Swift's own allocations do
    }
    return *buffer;
}

void e2h_amx_blocking(long *kc, long *nc, long *mc) { *kc = KC; *nc = NC; *mc = MC; }

E2H_AMX void e2h_amx_pack_b(const float *b, long bDepth, long bCol, long columns, long depth,
                            long firstTile, long endTile, uint16_t *dst) {
    long chunks = (depth + 31) / 32;
    e2h_amx_pack_block(b + 16 * firstTile * bCol, bCol, bDepth, columns - 16 * firstTile, depth,
                       endTile - firstTile, 1, dst + firstTile * chunks * TILE);
}

E2H_AMX void e2h_amx_rows(const float *a, long aRow, long aDepth, long rows, long depth,
                          const uint16_t *packedB, long columns, float *c, long ldc, int accumulate) {
    long chunks = (depth + 31) / 32, nTiles = (columns + 31) / 32 * 2;
    uint16_t *packedA = e2h_amx_reserve(&e2h_amx_a, &e2h_amx_a_count,
                                        (size_t)(((rows < MC ? rows : MC) + 31) / 32 * 32 * chunks * 32));
    e2h_amx_configure();
    for (long ic = 0; ic < rows; ic += MC) {
        long mcb = rows - ic < MC ? rows - ic : MC, mTiles = (mcb + 31) / 32 * 2;
        e2h_amx_pack_block(a + ic * aRow, aRow, aDepth, mcb, depth, mTiles, 0, packedA);
        for (long jt = 0; jt < nTiles; jt += 2) {
            for (long it = 0; it < mTiles; it += 2) {
                long r = mcb - 16 * it, n = columns - 16 * jt;
                e2h_amx_block(packedA + it * chunks * TILE, packedB + jt * chunks * TILE, chunks * TILE,
                              chunks, c + (ic + 16 * it) * ldc + 16 * jt, ldc, r > 32 ? 32 : r, n > 32 ? 32 : n, accumulate);
            }
        }
    }
    _tile_release();
}

E2H_AMX void e2h_amx_gemm_bf16(long m, long n, long k, const float *a, long aRow, long aDepth,
                               const float *b, long bDepth, long bCol, float *c, long ldc, int accumulate) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    // B's block holds whole tile pairs: columns rounded up to 32, depth to 32.
    long kcMax = ((k < KC ? k : KC) + 31) / 32 * 32;
    uint16_t *packedB = e2h_amx_reserve(&e2h_amx_b, &e2h_amx_b_count, (size_t)(((n < NC ? n : NC) + 31) / 32 * 32 * kcMax));
    for (long jc = 0; jc < n; jc += NC) {
        long ncb = n - jc < NC ? n - jc : NC, nTiles = (ncb + 31) / 32 * 2;
        for (long pc = 0; pc < k; pc += KC) {
            long kcb = k - pc < KC ? k - pc : KC;
            e2h_amx_pack_b(b + pc * bDepth + jc * bCol, bDepth, bCol, ncb, kcb, 0, nTiles, packedB);
            e2h_amx_rows(a + pc * aDepth, aRow, aDepth, m, kcb, packedB, ncb, c + jc, ldc, accumulate || pc > 0);
        }
    }
}

/// The machine's bf16 tile peak on this thread: `iterations` x 4 tdpbf16ps on resident tiles (no
/// memory traffic), 4 x 16 x 16 x 32 multiply-adds each; returns a tile value so the loop is kept.
E2H_AMX float e2h_amx_bf16_peak_loop(long iterations) {
    e2h_amx_configure();
    uint16_t ones[TILE] __attribute__((aligned(64)));
    for (int i = 0; i < TILE; i++) ones[i] = 0x3F80;  // 1.0
    _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
    _tile_loadd(4, ones, 64); _tile_loadd(5, ones, 64); _tile_loadd(6, ones, 64); _tile_loadd(7, ones, 64);
    for (long i = 0; i < iterations; i++) {
        _tile_dpbf16ps(0, 4, 6); _tile_dpbf16ps(1, 4, 7); _tile_dpbf16ps(2, 5, 6); _tile_dpbf16ps(3, 5, 7);
    }
    float out[256] __attribute__((aligned(64)));
    _tile_stored(0, out, 64);
    _tile_release();
    return out[0];
}

#else

int e2h_amx_bf16_available(void) { return 0; }
void e2h_amx_blocking(long *kc, long *nc, long *mc) { *kc = 1024; *nc = 4096; *mc = 64; }
void e2h_amx_pack_b(const float *b, long bDepth, long bCol, long columns, long depth,
                    long firstTile, long endTile, uint16_t *dst) {
    (void)b; (void)bDepth; (void)bCol; (void)columns; (void)depth; (void)firstTile; (void)endTile; (void)dst;
    abort();
}
void e2h_amx_rows(const float *a, long aRow, long aDepth, long rows, long depth,
                  const uint16_t *packedB, long columns, float *c, long ldc, int accumulate) {
    (void)a; (void)aRow; (void)aDepth; (void)rows; (void)depth; (void)packedB; (void)columns; (void)c; (void)ldc;
    (void)accumulate;
    abort();
}

float e2h_amx_bf16_peak_loop(long iterations) { (void)iterations; abort(); }

void e2h_amx_gemm_bf16(long m, long n, long k, const float *a, long aRow, long aDepth,
                       const float *b, long bDepth, long bCol, float *c, long ldc, int accumulate) {
    (void)m; (void)n; (void)k; (void)a; (void)aRow; (void)aDepth; (void)b; (void)bDepth; (void)bCol;
    (void)c; (void)ldc; (void)accumulate;
    abort();  // callers check e2h_amx_bf16_available() first
}

#endif
