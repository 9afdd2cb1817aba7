// Quantized weight rows times float activations on AVX-512, for the rows path of
// `quantizedMatMul` (a few rows of A: decoding). Two forms:
// - one activation row (batch-1 decoding): four weight rows per pass sharing x's loads, each
//   block's q·x summed and scaled by its d in one multiply-add chain per weight row, the offsets
//   as Σ_b o_b·Σx_b sixteen blocks per multiply-add; d and o read from the rows' headers copied
//   apart (`e2h_quant_split_headers`), converted 16 blocks at a time and broadcast from memory (the
//   shuffle port is what this loop runs out of), and the next four rows prefetched during a pass
//   at the pace it reads its own;
// - 2-12 activation rows: each block expanded to its float values w = q·d + o (a multiply, then an
//   add: the values the float load and the panel path hold) through a per-block table of its 16
//   values, met by fused multiply-adds, four accumulators per activation row; d and o from the
//   split headers as above.
// Both equal the float computation up to float rounding (the order of additions, and in the first
// form where d and o are applied). Compiled for the baseline with a per-function target
// attribute; call only after `e2h_cpu_has_avx512()` (and F16C, which every AVX-512 CPU has).
//
// Blocks (ggml-common.h; d, m IEEE halves): Q4_0 (18 bytes) d, 16 bytes of nibbles, o = -8d;
// Q4_1 (20 bytes) d, m, nibbles, o = m; Q8_0 (34 bytes) d, 32 signed bytes, o = 0. Nibbles: the
// low nibble of byte j is value j, the high one value j + 16.

#include "CCPUFeatures.h"

#include <string.h>

/// Bytes of a block of `format`.
static inline long e2h_block_size(int format) { return format == 0 ? 18 : format == 1 ? 20 : 34; }

#if defined(__x86_64__)
#include <immintrin.h>

#define E2H_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,f16c")))

/// Values 0-15 and 16-31 of the block at p, given its scale d and offset o as floats.
E2H_AVX512 static inline __attribute__((always_inline)) void e2h_block_body(int format, const uint8_t *p, float d, float o,
                                                                            __m512 *w0, __m512 *w1) {
    if (format == 2) {
        const __m512 dv = _mm512_set1_ps(d);
        *w0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 2)))), dv);
        *w1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 18)))), dv);
        return;
    }
    // The block's 16 possible values q·d + o, looked up by nibble (`vpermps` reads the low 4 bits
    // of each index: byte j zero-extended indexes value j by its low nibble, shifted by 4 value
    // j + 16 by its high one).
    const __m512 table = _mm512_add_ps(_mm512_mul_ps(_mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                     _mm512_set1_ps(d)), _mm512_set1_ps(o));
    const __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(p + (format == 0 ? 2 : 4))));
    *w0 = _mm512_permutexvar_ps(bytes, table);
    *w1 = _mm512_permutexvar_ps(_mm512_srli_epi32(bytes, 4), table);
}


/// Blocks b0 ..< b0 + count (count ≤ 32) of a stored row: scales d and offsets o as floats, from
/// the row's headers copied apart (h: its blocks' d as halves, then for Q4_1 their m), 16 at a
/// time by a load and a conversion, so the loop over blocks broadcasts them from memory (a load, not
/// a shuffle). Gathering them from the blocks themselves, 18-34 bytes apart, cost about a fifth of
/// this loop's time (docs/models.md, "Session 21").
E2H_AVX512 static inline __attribute__((always_inline)) void e2h_block_headers(int format, const uint16_t *h, long blocks, long b0,
                                                                               long count, float d[32], float o[32]) {
    for (long t = 0; t < count; t += 16) {
        const __mmask16 lanes = count - t >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - t)) - 1);
        const __m512 dv = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(lanes, h + b0 + t));
        _mm512_storeu_ps(d + t, dv);
        if (format == 0) _mm512_storeu_ps(o + t, _mm512_mul_ps(dv, _mm512_set1_ps(-8.0f)));
        if (format == 1) _mm512_storeu_ps(o + t, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(lanes, h + blocks + b0 + t)));
    }
}

/// One stored row, whose split headers are h, against MR (1...4) activation rows at x, lda apart.
E2H_AVX512 static inline __attribute__((always_inline)) void e2h_row_f32(int format, const uint8_t *row, const uint16_t *h,
                                                                         long blocks, const float *x, long lda, int MR,
                                                                         float out[4]) {
    __m512 acc[4][4];
    for (int r = 0; r < 4; r++)
        for (int s = 0; s < 4; s++) acc[r][s] = _mm512_setzero_ps();
    const long size = e2h_block_size(format);
    for (long b0 = 0; b0 < blocks; b0 += 32) {
        const long count = blocks - b0 < 32 ? blocks - b0 : 32;
        float d[32], o[32];
        e2h_block_headers(format, h, blocks, b0, count, d, o);
        long t = 0;
        for (; t + 2 <= count; t += 2) {
            const long b = b0 + t;
            __m512 w0, w1, w2, w3;
            e2h_block_body(format, row + size * b, d[t], o[t], &w0, &w1);
            e2h_block_body(format, row + size * (b + 1), d[t + 1], o[t + 1], &w2, &w3);
            for (int r = 0; r < MR; r++) {
                const float *xr = x + r * lda + 32 * b;
                acc[r][0] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(xr), acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(xr + 16), acc[r][1]);
                acc[r][2] = _mm512_fmadd_ps(w2, _mm512_loadu_ps(xr + 32), acc[r][2]);
                acc[r][3] = _mm512_fmadd_ps(w3, _mm512_loadu_ps(xr + 48), acc[r][3]);
            }
        }
        if (t < count) {  // the row's last block (chunks before the last hold 32)
            const long b = b0 + t;
            __m512 w0, w1;
            e2h_block_body(format, row + size * b, d[t], o[t], &w0, &w1);
            for (int r = 0; r < MR; r++) {
                const float *xr = x + r * lda + 32 * b;
                acc[r][0] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(xr), acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(xr + 16), acc[r][1]);
            }
        }
    }
    for (int r = 0; r < MR; r++) {
        out[r] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc[r][0], acc[r][1]), _mm512_add_ps(acc[r][2], acc[r][3])));
    }
}

#define E2H_VARIANT(name, FORMAT, MR)                                                                          \
    E2H_AVX512 static void name(const uint8_t *row, const uint16_t *h, long blocks, const float *x, long lda,  \
                                float out[4]) {                                                              \
        e2h_row_f32(FORMAT, row, h, blocks, x, lda, MR, out);                                                   \
    }
E2H_VARIANT(e2h_f40_1, 0, 1) E2H_VARIANT(e2h_f40_2, 0, 2) E2H_VARIANT(e2h_f40_3, 0, 3) E2H_VARIANT(e2h_f40_4, 0, 4)
E2H_VARIANT(e2h_f41_1, 1, 1) E2H_VARIANT(e2h_f41_2, 1, 2) E2H_VARIANT(e2h_f41_3, 1, 3) E2H_VARIANT(e2h_f41_4, 1, 4)
E2H_VARIANT(e2h_f80_1, 2, 1) E2H_VARIANT(e2h_f80_2, 2, 2) E2H_VARIANT(e2h_f80_3, 2, 3) E2H_VARIANT(e2h_f80_4, 2, 4)
#undef E2H_VARIANT

/// Values 0-15 and 16-31 of the block at p as q (floats, before scale and offset).
E2H_AVX512 static inline __attribute__((always_inline)) void e2h_block_q(int format, const uint8_t *p, __m512 *q0, __m512 *q1) {
    if (format == 2) {
        *q0 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 2))));
        *q1 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 18))));
        return;
    }
    // A nibble is its own float through a 16-entry table: vpermps reads only the low 4 bits of
    // each index, so the low nibbles need no mask, and neither needs an int-to-float conversion
    // (one port-0 instruction less per half; the values are the conversion's exactly).
    const __m512 table = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(p + (format == 0 ? 2 : 4))));
    *q0 = _mm512_permutexvar_ps(bytes, table);
    *q1 = _mm512_permutexvar_ps(_mm512_srli_epi32(bytes, 4), table);
}

/// Four stored rows against one activation row x, whose block sums are sx: Σ_b d_b·(q_b·x_b) +
/// Σ_b o_b·sx_b, the first with one multiply-add chain per row (four chains in flight), the second
/// sixteen blocks per multiply-add. x's loads are shared and the four sums reduced together.
E2H_AVX512 static inline __attribute__((always_inline)) void e2h_rows4_f32(int format, const uint8_t *const row[4],
                                                                           const uint16_t *const headers[4],
                                                                           const uint8_t *const next[4], long blocks,
                                                                           const float *x, const float *sx, float out[4]) {
    __m512 acc[4], off[4];
    for (int r = 0; r < 4; r++) acc[r] = off[r] = _mm512_setzero_ps();
    const long size = e2h_block_size(format);
    for (long b0 = 0; b0 < blocks; b0 += 32) {
        const long count = blocks - b0 < 32 ? blocks - b0 : 32;
        float d[4][32], o[4][32];
        for (int r = 0; r < 4; r++) e2h_block_headers(format, headers[r], blocks, b0, count, d[r], o[r]);
        for (long t = 0; t < count; t++) {
            const long b = b0 + t;
            // The next four rows' line at this block, asked for as the block that starts it is reached:
            // their bytes arrive at the pace these rows' are read, never in a burst that would stall
            // on full fill buffers.
            if (next[0] && (b == 0 || (size * b) / 64 != (size * b - size) / 64))
                for (int r = 0; r < 4; r++) _mm_prefetch((const char *)next[r] + size * b, _MM_HINT_T0);
            const __m512 x0 = _mm512_loadu_ps(x + 32 * b), x1 = _mm512_loadu_ps(x + 32 * b + 16);
            for (int r = 0; r < 4; r++) {
                __m512 q0, q1;
                e2h_block_q(format, row[r] + size * b, &q0, &q1);
                const __m512 dot = _mm512_fmadd_ps(q1, x1, _mm512_mul_ps(q0, x0));
                acc[r] = _mm512_fmadd_ps(dot, _mm512_set1_ps(d[r][t]), acc[r]);
            }
        }
        if (format != 2) {
            for (long t = 0; t < count; t += 16) {
                const __mmask16 lanes = count - t >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - t)) - 1);
                const __m512 s = _mm512_maskz_loadu_ps(lanes, sx + b0 + t);
                for (int r = 0; r < 4; r++) off[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(lanes, o[r] + t), s, off[r]);
            }
        }
    }
    __m256 h[4];
    for (int r = 0; r < 4; r++) {
        const __m512 v = _mm512_add_ps(acc[r], off[r]);
        h[r] = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    }
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(h[0], h[1]), _mm256_hadd_ps(h[2], h[3]));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
}

#define E2H_VARIANT(name, FORMAT)                                                                              \
    E2H_AVX512 static void name(const uint8_t *const row[4], const uint16_t *const headers[4],               \
                                const uint8_t *const next[4], long blocks, const float *x, const float *sx,  \
                                float out[4]) {                                                              \
        e2h_rows4_f32(FORMAT, row, headers, next, blocks, x, sx, out);                                          \
    }
E2H_VARIANT(e2h_g40, 0) E2H_VARIANT(e2h_g41, 1) E2H_VARIANT(e2h_g80, 2)
#undef E2H_VARIANT

typedef void (*e2h_row_f32_fn)(const uint8_t *, const uint16_t *, long, const float *, long, float[4]);

E2H_AVX512 void e2h_quant_rows_f32_avx512(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                                          const uint16_t *headers, long firstColumn, long endColumn, long blocks,
                                          const float *a, long lda, long m, float *c, long ldc, int accumulate) {
    static const e2h_row_f32_fn table[3][4] = {
        {e2h_f40_1, e2h_f40_2, e2h_f40_3, e2h_f40_4},
        {e2h_f41_1, e2h_f41_2, e2h_f41_3, e2h_f41_4},
        {e2h_f80_1, e2h_f80_2, e2h_f80_3, e2h_f80_4},
    };
    long j = firstColumn;
    const long per = format == 1 ? 2 : 1;
    if (m == 1) {
        // Decoding one sequence: four weight rows at a time, the next four prefetched.
        void (*const four)(const uint8_t *const[4], const uint16_t *const[4], const uint8_t *const[4], long, const float *,
                           const float *, float[4]) =
            format == 0 ? e2h_g40 : format == 1 ? e2h_g41 : e2h_g80;
        float sx[blocks];
        for (long b = 0; b < blocks; b++) {
            sx[b] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_loadu_ps(a + 32 * b), _mm512_loadu_ps(a + 32 * b + 16)));
        }
        for (; j + 4 <= endColumn; j += 4) {
            const uint8_t *rows[4], *next[4] = {NULL, NULL, NULL, NULL};
            const uint16_t *split[4];
            for (int r = 0; r < 4; r++) {
                const long stored = rowOrder ? (long)rowOrder[j + r] : j + r;
                rows[r] = (const uint8_t *)base + stored * rowBytes;
                split[r] = headers + stored * per * blocks;
            }
            if (j + 8 <= endColumn)
                for (int r = 0; r < 4; r++) next[r] = (const uint8_t *)base + (rowOrder ? (long)rowOrder[j + 4 + r] : j + 4 + r) * rowBytes;
            float out[4];
            four(rows, split, next, blocks, a, sx, out);
            for (int r = 0; r < 4; r++) c[j + r] = accumulate ? c[j + r] + out[r] : out[r];
        }
    }
    // Weight row outside: it comes from memory once and from L1 for the further groups of 4 rows.
    for (; j < endColumn; j++) {
        const long stored = rowOrder ? (long)rowOrder[j] : j;
        const uint8_t *row = (const uint8_t *)base + stored * rowBytes;
        for (long i0 = 0; i0 < m; i0 += 4) {
            const long mr = m - i0 < 4 ? m - i0 : 4;
            float out[4];
            table[format][mr - 1](row, headers + stored * per * blocks, blocks, a + i0 * lda, lda, out);
            for (long r = 0; r < mr; r++) {
                float *target = c + (i0 + r) * ldc + j;
                *target = accumulate ? *target + out[r] : out[r];
            }
        }
    }
}

#else

void e2h_quant_rows_f32_avx512(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                               const uint16_t *headers, long firstColumn, long endColumn, long blocks,
                               const float *a, long lda, long m, float *c, long ldc, int accumulate) {
    __builtin_trap();
}

#endif

void e2h_quant_split_headers(int format, const void *base, long rows, long blocks, uint16_t *headers) {
    const long size = e2h_block_size(format), per = format == 1 ? 2 : 1;
    for (long j = 0; j < rows; j++) {
        const uint8_t *row = (const uint8_t *)base + j * blocks * size;
        uint16_t *h = headers + j * per * blocks;
        for (long b = 0; b < blocks; b++) {
            memcpy(h + b, row + b * size, 2);
            if (per == 2) memcpy(h + blocks + b, row + b * size + 2, 2);
        }
    }
}
