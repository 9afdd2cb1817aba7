// Quantized weight rows expanded straight into the packed panels the float GEMM micro-kernel reads
// (GEMM/Packing.swift's layout), for the panel path of `quantizedMatMul` (many activation rows:
// batched decoding, prefill). Before, each 64-row panel was expanded to a row-major float copy and
// then transposed into panels by `gemm` along with a fresh packing of A; here the expansion writes
// the panels itself, eight rows at a time through an 8×8 register transpose.
//
// The values are exactly those of `avx2QuantizedDequantizeRow` (GEMM/QuantizedKernel.swift):
// w = q·d + o, a multiply then an add (never fused), o = -8d (Q4_0), m (Q4_1), 0 (Q8_0). So the
// products of the panel path keep their bits. Compiled for the baseline with a per-function target
// attribute; call only after `e2h_cpu_has_avx2_fma()`.

#include "CCPUFeatures.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define E2H_AVX2 __attribute__((target("avx2,fma,f16c")))

E2H_AVX2 static inline float e2h_pack_half(const uint8_t *p) {
    uint16_t bits = (uint16_t)(p[0] | (p[1] << 8));
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(bits)));
}

/// Values 8t ..< 8t + 8 of the block at `p` as q (floats, before scale and offset).
E2H_AVX2 static inline __m256 e2h_pack_quarter(int format, const uint8_t *p, int t) {
    if (format == 2) return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p + 2 + 8 * t))));
    const long start = format == 0 ? 2 : 4;
    // Values 0-15: low nibbles of bytes 0-15; values 16-31: high nibbles.
    __m128i x = _mm_loadl_epi64((const __m128i *)(p + start + 8 * (t & 1)));
    if (t >= 2) x = _mm_srli_epi16(x, 4);
    x = _mm_and_si128(x, _mm_set1_epi8(0x0F));
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(x));
}

/// r[u] ← column u of the 8×8 matrix whose rows are r[0..7].
E2H_AVX2 static inline void e2h_transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

E2H_AVX2 void e2h_quant_pack_panels_avx2(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                                          long firstRow, long rows, long k0, long depth, long width, float *dest) {
    const long size = format == 0 ? 18 : format == 1 ? 20 : 34;
    const long panels = (rows + width - 1) / width, kEnd = k0 + depth;
    const long firstBlock = k0 / 32, endBlock = (kEnd + 31) / 32;
    for (long g = 0; g < panels * width; g += 8) {
        // Lanes g ..< g + 8: lanes l0 ..< l0 + 8 of panel g / width.
        float *d = dest + (g / width) * depth * width + g % width;
        const uint8_t *row[8];
        for (int r = 0; r < 8; r++) {
            const long j = firstRow + g + r;
            row[r] = 0;
            if (g + r < rows) {
                row[r] = (const uint8_t *)base + (rowOrder ? (long)rowOrder[j] : j) * rowBytes;
            }
        }
        for (long b = firstBlock; b < endBlock; b++) {
            __m256 scale[8], offset[8];
            for (int r = 0; r < 8; r++) {
                if (!row[r]) continue;
                const uint8_t *p = row[r] + size * b;
                const float s = e2h_pack_half(p);
                scale[r] = _mm256_set1_ps(s);
                offset[r] = _mm256_set1_ps(format == 0 ? -8.0f * s : format == 1 ? e2h_pack_half(p + 2) : 0.0f);
            }
            for (int t = 0; t < 4; t++) {
                __m256 v[8];
                for (int r = 0; r < 8; r++) {
                    v[r] = row[r] ? _mm256_add_ps(_mm256_mul_ps(e2h_pack_quarter(format, row[r] + size * b, t), scale[r]), offset[r])
                                  : _mm256_setzero_ps();
                }
                e2h_transpose8(v);
                const long k = 32 * b + 8 * t;
                if (k >= k0 && k + 8 <= kEnd) {
                    for (int u = 0; u < 8; u++) _mm256_storeu_ps(d + (k + u - k0) * width, v[u]);
                } else {
                    for (int u = 0; u < 8; u++) {
                        if (k + u >= k0 && k + u < kEnd) _mm256_storeu_ps(d + (k + u - k0) * width, v[u]);
                    }
                }
            }
        }
    }
}

// AVX-512: sixteen rows at a time through a 16×16 register transpose, for panels whose width is a
// multiple of 16 (the AVX-512 micro-kernel's 32). The same values as the AVX2 form (a multiply,
// then an add), so either writes the same panels.
#define E2H_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,f16c")))

/// Values 16t ..< 16t + 16 of the block at `p` as q (floats, before scale and offset).
E2H_AVX512 static inline __m512 e2h_pack_half16(int format, const uint8_t *p, int t) {
    if (format == 2) return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 2 + 16 * t))));
    __m128i x = _mm_loadu_si128((const __m128i *)(p + (format == 0 ? 2 : 4)));
    if (t) x = _mm_srli_epi16(x, 4);
    x = _mm_and_si128(x, _mm_set1_epi8(0x0F));
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(x));
}

/// r[u] ← column u of the 16×16 matrix whose rows are r[0..15].
E2H_AVX512 static inline void e2h_transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // r[4i + c], 128-bit lane L: column 4L + c of rows 4i ..< 4i + 4.
    for (int i = 0; i < 4; i++) {
        r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int c = 0; c < 4; c++) {
        t[c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88);
        t[4 + c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xDD);
        t[8 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88);
        t[12 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xDD);
    }
    for (int c = 0; c < 4; c++) {
        r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
        r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xDD);
        r[4 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0xDD);
    }
}

/// Row r's values 16t ..< 16t + 16 of block b: q·d + o (a multiply, then an add).
E2H_AVX512 static inline __m512 e2h_pack_values16(int format, const uint8_t *p, int t) {
    const float d = e2h_pack_half(p);
    const float o = format == 0 ? -8.0f * d : format == 1 ? e2h_pack_half(p + 2) : 0.0f;
    return _mm512_add_ps(_mm512_mul_ps(e2h_pack_half16(format, p, t), _mm512_set1_ps(d)), _mm512_set1_ps(o));
}

E2H_AVX512 void e2h_quant_pack_panels_avx512(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                                            long firstRow, long rows, long k0, long depth, long width, float *dest) {
    const long size = format == 0 ? 18 : format == 1 ? 20 : 34;
    const long panels = (rows + width - 1) / width, kEnd = k0 + depth;
    const long firstBlock = k0 / 32, endBlock = (kEnd + 31) / 32;
    for (long g = 0; g < panels * width; g += 16) {
        // Lanes g ..< g + 16: lanes l0 ..< l0 + 16 of panel g / width.
        float *d = dest + (g / width) * depth * width + g % width;
        const uint8_t *row[16];
        int full = 1;
        for (int r = 0; r < 16; r++) {
            const long j = firstRow + g + r;
            row[r] = 0;
            if (g + r < rows) row[r] = (const uint8_t *)base + (rowOrder ? (long)rowOrder[j] : j) * rowBytes;
            else full = 0;
        }
        // The next group's blocks come from memory while this group is expanded: its 16 rows are
        // read block by block across rows, an order the hardware prefetcher does not follow.
        for (long r = g + 16; r < g + 32 && r < rows; r++) {
            const long j = firstRow + r;
            const uint8_t *next = (const uint8_t *)base + (rowOrder ? (long)rowOrder[j] : j) * rowBytes;
            for (long byte = size * firstBlock; byte < size * endBlock; byte += 64) _mm_prefetch((const char *)next + byte, _MM_HINT_T0);
        }
        for (long b = firstBlock; b < endBlock; b++) {
            for (int t = 0; t < 2; t++) {
                const long k = 32 * b + 16 * t;
                if (k + 16 <= k0 || k >= kEnd) continue;
                __m512 v[16];
                if (full) {
                    for (int r = 0; r < 16; r++) v[r] = e2h_pack_values16(format, row[r] + size * b, t);
                } else {
                    for (int r = 0; r < 16; r++) v[r] = row[r] ? e2h_pack_values16(format, row[r] + size * b, t) : _mm512_setzero_ps();
                }
                e2h_transpose16(v);
                if (k >= k0 && k + 16 <= kEnd) {
                    for (int u = 0; u < 16; u++) _mm512_storeu_ps(d + (k + u - k0) * width, v[u]);
                } else {
                    for (int u = 0; u < 16; u++) {
                        if (k + u >= k0 && k + u < kEnd) _mm512_storeu_ps(d + (k + u - k0) * width, v[u]);
                    }
                }
            }
        }
    }
}

#else

void e2h_quant_pack_panels_avx2(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                                long firstRow, long rows, long k0, long depth, long width, float *dest) {
    __builtin_trap();
}

void e2h_quant_pack_panels_avx512(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                                  long firstRow, long rows, long k0, long depth, long width, float *dest) {
    __builtin_trap();
}

#endif
