// Quantized weight rows times 8-bit activations, the way llama.cpp's CPU backend multiplies at
// small batch: each activation row is cut into blocks of 32 and quantized to int8 with one scale
// per block (ggml's Q8_1: d = max|x| / 127, q = round(x / d), s = d·Σq); a weight block of 32
// then meets an activation block in integer arithmetic (`vpmaddubsw`, `vpmaddwd`) and one
// float multiply-add per block. Swift cannot name these instructions, hence C; the functions carry
// their own target attribute, so this file is compiled for the baseline and only called after
// `e2h_cpu_has_avx2_fma()` (GEMM's `quantizedMatMul`).
//
// Weight blocks (ggml-common.h; d, m IEEE halves), read as w = d·q + o:
//   Q4_0 (18 bytes): d, 16 bytes of nibbles (low nibble = value j, high = value j + 16); o = -8d
//   Q4_1 (20 bytes): d, m, 16 bytes of nibbles;                                           o = m
//   Q8_0 (34 bytes): d, 32 signed bytes;                                                   o = 0
// so w·x over a block is d·dx·Σq·qx + o·s.

#include "CCPUFeatures.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define E2H_AVX2 __attribute__((target("avx2,fma,f16c")))

E2H_AVX2 static inline float e2h_half(const uint8_t *p) {
    uint16_t bits = (uint16_t)(p[0] | (p[1] << 8));
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(bits)));
}

E2H_AVX2 static inline float e2h_hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

E2H_AVX2 void e2h_q8_quantize_rows_avx2(const float *x, long lda, long m, long blocks,
                                         int8_t *qs, float *scales, float *sums) {
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (long i = 0; i < m; i++) {
        for (long b = 0; b < blocks; b++) {
            const float *p = x + i * lda + 32 * b;
            __m256 v0 = _mm256_loadu_ps(p), v1 = _mm256_loadu_ps(p + 8);
            __m256 v2 = _mm256_loadu_ps(p + 16), v3 = _mm256_loadu_ps(p + 24);
            __m256 amax = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(signBit, v0), _mm256_andnot_ps(signBit, v1)),
                                        _mm256_max_ps(_mm256_andnot_ps(signBit, v2), _mm256_andnot_ps(signBit, v3)));
            __m128 h = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
            h = _mm_max_ps(h, _mm_movehl_ps(h, h));
            h = _mm_max_ss(h, _mm_movehdup_ps(h));
            const float maximum = _mm_cvtss_f32(h);
            const float d = maximum / 127.0f, id = maximum != 0.0f ? 127.0f / maximum : 0.0f;
            const __m256 mul = _mm256_set1_ps(id);
            // Rounded to nearest (even on ties), as ggml's AVX2 quantizer does.
            __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
            __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
            __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
            __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
            __m256i total = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
            __m128i t = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
            t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(1, 0, 3, 2)));
            t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
            const int sum = _mm_cvtsi128_si32(t);
            // packs interleave 128-bit lanes; the permutation puts the 32 bytes back in order.
            __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
            packed = _mm256_permutevar8x32_epi32(packed, order);
            _mm256_storeu_si256((__m256i *)(qs + i * blocks * 32 + 32 * b), packed);
            scales[i * blocks + b] = d;
            sums[i * blocks + b] = d * (float)sum;
        }
    }
}

/// Σ over a block of (unsigned weight byte)·(signed activation byte), as 8 int32 lanes → floats.
E2H_AVX2 static inline __m256 e2h_dot_u8_i8(__m256i w, __m256i x) {
    const __m256i ones = _mm256_set1_epi16(1);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(w, x), ones));
}

/// One stored weight row against `mr` (1...4) quantized activation rows. Blocks alternate
/// between two sets of accumulators, so consecutive blocks' multiply-adds do not wait on each other.
E2H_AVX2 static inline void e2h_row_dot(int format, const uint8_t *row, long blocks,
                                        const int8_t *qs, const float *scales, const float *sums, long mr,
                                        float out[4]) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    float p0 = 0, p1 = 0, p2 = 0, p3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    const long qStride = 32 * blocks;
    const __m256i low = _mm256_set1_epi8(0x0F);
    const int isSigned = format == 2;
    const long size = format == 0 ? 18 : format == 1 ? 20 : 34, start = format == 0 ? 2 : format == 1 ? 4 : 2;
#define E2H_ROW(r, b, acc, off)                                                                       \
    {                                                                                                 \
        __m256i x = _mm256_loadu_si256((const __m256i *)(qs + (r) * qStride + 32 * (b)));            \
        if (isSigned) x = _mm256_sign_epi8(x, w);                                                     \
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d * scales[(r) * blocks + (b)]), e2h_dot_u8_i8(wu, x), acc); \
        off += o * sums[(r) * blocks + (b)];                                                          \
    }
#define E2H_BLOCK(b, A0, A1, A2, A3, P0, P1, P2, P3)                                                  \
    {                                                                                                 \
        const uint8_t *p = row + size * (b);                                                          \
        const float d = e2h_half(p);                                                                  \
        float o = 0;                                                                                  \
        __m256i w;                                                                                    \
        if (isSigned) {                                                                               \
            w = _mm256_loadu_si256((const __m256i *)(p + start));                                     \
        } else {                                                                                      \
            o = format == 0 ? -8.0f * d : e2h_half(p + 2);                                            \
            const __m128i nibbles = _mm_loadu_si128((const __m128i *)(p + start));                    \
            w = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(nibbles, 4), nibbles), low);         \
        }                                                                                             \
        /* Signed weights: |w| times x with w's sign (maddubs multiplies unsigned by signed). */      \
        const __m256i wu = isSigned ? _mm256_sign_epi8(w, w) : w;                                     \
        E2H_ROW(0, b, A0, P0)                                                                         \
        if (mr > 1) E2H_ROW(1, b, A1, P1)                                                             \
        if (mr > 2) E2H_ROW(2, b, A2, P2)                                                             \
        if (mr > 3) E2H_ROW(3, b, A3, P3)                                                             \
    }
    long b = 0;
    for (; b + 1 < blocks; b += 2) {
        E2H_BLOCK(b, a0, a1, a2, a3, p0, p1, p2, p3)
        E2H_BLOCK(b + 1, b0, b1, b2, b3, q0, q1, q2, q3)
    }
    if (b < blocks) E2H_BLOCK(b, a0, a1, a2, a3, p0, p1, p2, p3)
#undef E2H_BLOCK
#undef E2H_ROW
    out[0] = e2h_hsum(_mm256_add_ps(a0, b0)) + (p0 + q0);
    out[1] = e2h_hsum(_mm256_add_ps(a1, b1)) + (p1 + q1);
    out[2] = e2h_hsum(_mm256_add_ps(a2, b2)) + (p2 + q2);
    out[3] = e2h_hsum(_mm256_add_ps(a3, b3)) + (p3 + q3);
}

/// The specialisation of `e2h_row_dot` per format and row count (constant arguments fold the
/// branches away).
#define E2H_VARIANT(name, FORMAT, MR)                                                                 \
    E2H_AVX2 static void name(const uint8_t *row, long blocks, const int8_t *qs, const float *scales, \
                              const float *sums, float out[4]) {                                     \
        e2h_row_dot(FORMAT, row, blocks, qs, scales, sums, MR, out);                                  \
    }
E2H_VARIANT(e2h_q40_1, 0, 1) E2H_VARIANT(e2h_q40_2, 0, 2) E2H_VARIANT(e2h_q40_3, 0, 3) E2H_VARIANT(e2h_q40_4, 0, 4)
E2H_VARIANT(e2h_q41_1, 1, 1) E2H_VARIANT(e2h_q41_2, 1, 2) E2H_VARIANT(e2h_q41_3, 1, 3) E2H_VARIANT(e2h_q41_4, 1, 4)
E2H_VARIANT(e2h_q80_1, 2, 1) E2H_VARIANT(e2h_q80_2, 2, 2) E2H_VARIANT(e2h_q80_3, 2, 3) E2H_VARIANT(e2h_q80_4, 2, 4)
#undef E2H_VARIANT

typedef void (*e2h_row_dot_fn)(const uint8_t *, long, const int8_t *, const float *, const float *, float[4]);

E2H_AVX2 void e2h_quant_rows_int8_avx2(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                                        long firstColumn, long endColumn, long blocks,
                                        const int8_t *qs, const float *scales, const float *sums, long m,
                                        float *c, long ldc, int accumulate) {
    static const e2h_row_dot_fn table[3][4] = {
        {e2h_q40_1, e2h_q40_2, e2h_q40_3, e2h_q40_4},
        {e2h_q41_1, e2h_q41_2, e2h_q41_3, e2h_q41_4},
        {e2h_q80_1, e2h_q80_2, e2h_q80_3, e2h_q80_4},
    };
    // Weight row outside: it comes from memory once and from L1 for the further groups of 4 rows.
    for (long j = firstColumn; j < endColumn; j++) {
        const uint8_t *row = (const uint8_t *)base + (rowOrder ? (long)rowOrder[j] : j) * rowBytes;
        for (long i0 = 0; i0 < m; i0 += 4) {
            const long mr = m - i0 < 4 ? m - i0 : 4;
            const e2h_row_dot_fn dot = table[format][mr - 1];
            const int8_t *q = qs + i0 * 32 * blocks;
            const float *d = scales + i0 * blocks, *s = sums + i0 * blocks;
            float out[4];
            dot(row, blocks, q, d, s, out);
            for (long r = 0; r < mr; r++) {
                float *target = c + (i0 + r) * ldc + j;
                *target = accumulate ? *target + out[r] : out[r];
            }
        }
    }
}

// AVX-512 VNNI: two blocks per 512-bit register and `vpdpbusd` (four u8·i8 products summed into
// each int32 lane). Every weight block is read as unsigned bytes with an offset: Q4_0 nibbles
// with o = -8d, Q4_1 nibbles with o = m, Q8_0 bytes flipped to q + 128 with o = -128d. The
// activation side comes expanded (e2h_q8_expand_avx512): per block 8 copies of its scale and its
// scaled sum followed by 7 zeros, so a pair of blocks is one 64-byte load each.
#define E2H_VNNI __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,avx2,fma,f16c")))

E2H_VNNI void e2h_q8_expand_avx512(const float *scales, const float *sums, long count, float *scales8, float *sums8) {
    for (long t = 0; t < count; t++) {
        _mm256_storeu_ps(scales8 + 8 * t, _mm256_set1_ps(scales[t]));
        _mm256_storeu_ps(sums8 + 8 * t, _mm256_setr_ps(sums[t], 0, 0, 0, 0, 0, 0, 0));
    }
}

/// Unsigned bytes of blocks b and b + 1 (values in order), their scales d (lanes 0-7 block b,
/// 8-15 block b + 1) and offsets o.
E2H_VNNI static inline void e2h_pair(int format, const uint8_t *row, long b, __m512i *w, __m512 *d, __m512 *o) {
    const __m512i lowHalf = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2);
    const __m512i highHalf = _mm512_setr_epi32(1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3);
    if (format == 2) {
        const uint8_t *p0 = row + 34 * b, *p1 = p0 + 34;
        __m512i v = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(p0 + 2))),
                                       _mm256_loadu_si256((const __m256i *)(p1 + 2)), 1);
        *w = _mm512_xor_si512(v, _mm512_set1_epi8((char)0x80));
        uint32_t h0 = (uint32_t)(p0[0] | (p0[1] << 8)), h1 = (uint32_t)(p1[0] | (p1[1] << 8));
        __m128 halves = _mm_cvtph_ps(_mm_setr_epi32((int)(h0 | (h1 << 16)), 0, 0, 0));  // d0 d1
        __m512 both = _mm512_castps128_ps512(halves);
        *d = _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1), both);
        *o = _mm512_mul_ps(*d, _mm512_set1_ps(-128.0f));
        return;
    }
    const long size = format == 0 ? 18 : 20, start = format == 0 ? 2 : 4;
    const uint8_t *p0 = row + size * b, *p1 = p0 + size;
    const __m256i nibbles = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(p1 + start)),
                                             _mm_loadu_si128((const __m128i *)(p0 + start)));
    // [n0 & F, n1 & F, n0 >> 4, n1 >> 4] → [n0 & F, n0 >> 4, n1 & F, n1 >> 4]
    __m512i v = _mm512_inserti64x4(_mm512_castsi256_si512(nibbles), _mm256_srli_epi16(nibbles, 4), 1);
    v = _mm512_and_si512(v, _mm512_set1_epi8(0x0F));
    *w = _mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(3, 1, 2, 0));
    uint32_t a0, a1;  // (d, m) of each block (Q4_0: d and the next two bytes, unused)
    memcpy(&a0, p0, 4);
    memcpy(&a1, p1, 4);
    __m512 halves = _mm512_castps128_ps512(_mm_cvtph_ps(_mm_setr_epi32((int)a0, (int)a1, 0, 0)));  // d0 m0 d1 m1
    *d = _mm512_permutexvar_ps(lowHalf, halves);
    *o = format == 0 ? _mm512_mul_ps(*d, _mm512_set1_ps(-8.0f)) : _mm512_permutexvar_ps(highHalf, halves);
}

/// One block pair's contribution for activation row r: acc += d·dx·Σw·qx + o·s.
#define E2H_VNNI_ROW(r, acc, offsets)                                                                 \
    {                                                                                                 \
        const __m512i x = _mm512_loadu_si512((const void *)(qs + (r) * qStride + 32 * b));            \
        const __m512 dot = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), w, x));     \
        acc = _mm512_fmadd_ps(_mm512_mul_ps(d, _mm512_loadu_ps(scales8 + (r) * eStride + 8 * b)), dot, acc); \
        offsets = _mm512_fmadd_ps(o, _mm512_loadu_ps(sums8 + (r) * eStride + 8 * b), offsets);        \
    }

/// One stored weight row against `mr` (1...4) activation rows; `blocks` even.
E2H_VNNI static inline void e2h_row_dot_vnni(int format, const uint8_t *row, long blocks, const int8_t *qs,
                                             const float *scales8, const float *sums8, long mr, float out[4]) {
    // Products and offsets in separate accumulators: two independent multiply-add chains per row.
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    __m512 off0 = acc0, off1 = acc0, off2 = acc0, off3 = acc0;
    const long qStride = 32 * blocks, eStride = 8 * blocks;
    for (long b = 0; b < blocks; b += 2) {
        __m512i w;
        __m512 d, o;
        e2h_pair(format, row, b, &w, &d, &o);
        E2H_VNNI_ROW(0, acc0, off0)
        if (mr > 1) E2H_VNNI_ROW(1, acc1, off1)
        if (mr > 2) E2H_VNNI_ROW(2, acc2, off2)
        if (mr > 3) E2H_VNNI_ROW(3, acc3, off3)
    }
    out[0] = _mm512_reduce_add_ps(_mm512_add_ps(acc0, off0));
    out[1] = _mm512_reduce_add_ps(_mm512_add_ps(acc1, off1));
    out[2] = _mm512_reduce_add_ps(_mm512_add_ps(acc2, off2));
    out[3] = _mm512_reduce_add_ps(_mm512_add_ps(acc3, off3));
}
#undef E2H_VNNI_ROW

#define E2H_VARIANT(name, FORMAT, MR)                                                                 \
    E2H_VNNI static void name(const uint8_t *row, long blocks, const int8_t *qs, const float *scales8, \
                              const float *sums8, float out[4]) {                                    \
        e2h_row_dot_vnni(FORMAT, row, blocks, qs, scales8, sums8, MR, out);                           \
    }
E2H_VARIANT(e2h_v40_1, 0, 1) E2H_VARIANT(e2h_v40_2, 0, 2) E2H_VARIANT(e2h_v40_3, 0, 3) E2H_VARIANT(e2h_v40_4, 0, 4)
E2H_VARIANT(e2h_v41_1, 1, 1) E2H_VARIANT(e2h_v41_2, 1, 2) E2H_VARIANT(e2h_v41_3, 1, 3) E2H_VARIANT(e2h_v41_4, 1, 4)
E2H_VARIANT(e2h_v80_1, 2, 1) E2H_VARIANT(e2h_v80_2, 2, 2) E2H_VARIANT(e2h_v80_3, 2, 3) E2H_VARIANT(e2h_v80_4, 2, 4)
#undef E2H_VARIANT

E2H_VNNI void e2h_quant_rows_int8_vnni(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                                        long firstColumn, long endColumn, long blocks,
                                        const int8_t *qs, const float *scales8, const float *sums8, long m,
                                        float *c, long ldc, int accumulate) {
    static const e2h_row_dot_fn table[3][4] = {
        {e2h_v40_1, e2h_v40_2, e2h_v40_3, e2h_v40_4},
        {e2h_v41_1, e2h_v41_2, e2h_v41_3, e2h_v41_4},
        {e2h_v80_1, e2h_v80_2, e2h_v80_3, e2h_v80_4},
    };
    for (long j = firstColumn; j < endColumn; j++) {
        const uint8_t *row = (const uint8_t *)base + (rowOrder ? (long)rowOrder[j] : j) * rowBytes;
        for (long i0 = 0; i0 < m; i0 += 4) {
            const long mr = m - i0 < 4 ? m - i0 : 4;
            float out[4];
            table[format][mr - 1](row, blocks, qs + i0 * 32 * blocks, scales8 + i0 * 8 * blocks, sums8 + i0 * 8 * blocks, out);
            for (long r = 0; r < mr; r++) {
                float *target = c + (i0 + r) * ldc + j;
                *target = accumulate ? *target + out[r] : out[r];
            }
        }
    }
}

#else

void e2h_q8_quantize_rows_avx2(const float *x, long lda, long m, long blocks, int8_t *qs, float *scales, float *sums) {
    __builtin_trap();
}

void e2h_quant_rows_int8_avx2(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                               long firstColumn, long endColumn, long blocks,
                               const int8_t *qs, const float *scales, const float *sums, long m,
                               float *c, long ldc, int accumulate) {
    __builtin_trap();
}

void e2h_q8_expand_avx512(const float *scales, const float *sums, long count, float *scales8, float *sums8) {
    __builtin_trap();
}

void e2h_quant_rows_int8_vnni(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                              long firstColumn, long endColumn, long blocks,
                              const int8_t *qs, const float *scales8, const float *sums8, long m,
                              float *c, long ldc, int accumulate) {
    __builtin_trap();
}

#endif
