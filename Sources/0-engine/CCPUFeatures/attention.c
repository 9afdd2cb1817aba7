// Decoding attention for one key/value head and the `group` query heads that read it, with fused
// multiply-adds on AVX2 and AVX-512 (Kernels' `attendCachedGroup` calls these where the CPU has
// them; its Swift form is compiled for the baseline, where a SIMD8 is two SSE halves without FMA).
// Same three passes as the Swift form: scores four positions at a time with one joint horizontal
// sum, a softmax per head through the same exp polynomial (Kernels/FastMath.swift), and the
// weighted sum of values with every head of a chunk reading each value row once.
//
// Shapes: query h at queries + h·D; position j's key / value at keys / values + j·stride;
// scores: group·length floats (left holding the probabilities, row h at h·length); head h's result
// at output + h·D. AVX-512 needs D % 16 == 0, AVX2 D % 8 == 0.

#include "CCPUFeatures.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#define E2H_AVX2 __attribute__((target("avx2,fma")))
#define E2H_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))

// ---- AVX2 ----

/// e^x for 8 lanes: exp8 of FastMath.swift (Cody–Waite reduction, degree-6 polynomial, 2^n in the
/// exponent bits), with fused multiply-adds.
E2H_AVX2 static inline __m256 e2h_exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.7f));
    const __m256 shifter = _mm256_set1_ps(12582912.0f);
    const __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), shifter);
    const __m256 n = _mm256_sub_ps(shifted, shifter);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187045e-6f), r);
    __m256 p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    const __m256i integer = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(integer, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(p, scale);
}

/// [Σa, Σb, Σc, Σd] of four 8-lane vectors.
E2H_AVX2 static inline __m128 e2h_hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

E2H_AVX2 static inline float e2h_hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

/// softmax(scale·row) in place: the maximum, e^(scale·x - scale·max) summed, then normalized.
E2H_AVX2 static void e2h_softmax_avx2(float *row, long n, float scale) {
    float maximum = -INFINITY;
    for (long i = 0; i < n; i++) maximum = row[i] > maximum ? row[i] : maximum;
    const __m256 s = _mm256_set1_ps(scale), shift = _mm256_set1_ps(maximum * scale);
    __m256 sum = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = e2h_exp8(_mm256_fmsub_ps(_mm256_loadu_ps(row + i), s, shift));
        sum = _mm256_add_ps(sum, e);
        _mm256_storeu_ps(row + i, e);
    }
    float total = e2h_hsum8(sum);
    for (; i < n; i++) {
        const float e = _mm256_cvtss_f32(e2h_exp8(_mm256_set1_ps(row[i] * scale - maximum * scale)));
        row[i] = e;
        total += e;
    }
    const __m256 inverse = _mm256_set1_ps(1.0f / total);
    i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(row + i, _mm256_mul_ps(_mm256_loadu_ps(row + i), inverse));
    for (; i < n; i++) row[i] *= 1.0f / total;
}

/// out[h][0..<8·NW] = Σ_j p[h][j]·v_j[0..<8·NW] for NH heads (NH ≤ 2, NW ≤ 4: 8 accumulators).
E2H_AVX2 static inline __attribute__((always_inline)) void e2h_values_avx2(
    const float *p, long length, const float *values, long stride, float *out, long D, int NH, int NW) {
    __m256 acc[2][4];
    for (int h = 0; h < 2; h++)
        for (int c = 0; c < 4; c++) acc[h][c] = _mm256_setzero_ps();
    for (long j = 0; j < length; j++) {
        const float *v = values + j * stride;
        __m256 row[4];
        for (int c = 0; c < NW; c++) row[c] = _mm256_loadu_ps(v + 8 * c);
        for (int h = 0; h < NH; h++) {
            const __m256 weight = _mm256_broadcast_ss(p + h * length + j);
            for (int c = 0; c < NW; c++) acc[h][c] = _mm256_fmadd_ps(weight, row[c], acc[h][c]);
        }
    }
    for (int h = 0; h < NH; h++)
        for (int c = 0; c < NW; c++) _mm256_storeu_ps(out + h * D + 8 * c, acc[h][c]);
}

E2H_AVX2 void e2h_attend_group_avx2(const float *queries, long group, const float *keys, const float *values,
                                    long stride, long length, long D, float scale, float *scores, float *output) {
    long j = 0;
    for (; j + 4 <= length; j += 4) {
        const float *k0 = keys + j * stride, *k1 = k0 + stride, *k2 = k1 + stride, *k3 = k2 + stride;
        for (long h = 0; h < group; h++) {
            const float *q = queries + h * D;
            __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
            for (long d = 0; d < D; d += 8) {
                const __m256 qv = _mm256_loadu_ps(q + d);
                s0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + d), s0);
                s1 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k1 + d), s1);
                s2 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k2 + d), s2);
                s3 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k3 + d), s3);
            }
            _mm_storeu_ps(scores + h * length + j, e2h_hsum4(s0, s1, s2, s3));
        }
    }
    for (; j < length; j++) {
        const float *k = keys + j * stride;
        for (long h = 0; h < group; h++) {
            __m256 s = _mm256_setzero_ps();
            for (long d = 0; d < D; d += 8) s = _mm256_fmadd_ps(_mm256_loadu_ps(queries + h * D + d), _mm256_loadu_ps(k + d), s);
            scores[h * length + j] = e2h_hsum8(s);
        }
    }
    for (long h = 0; h < group; h++) e2h_softmax_avx2(scores + h * length, length, scale);
    for (long d = 0; d < D; d += 32) {
        const int nw = D - d >= 32 ? 4 : (int)((D - d) / 8);
        for (long h = 0; h < group; h += 2) {
            const int nh = group - h >= 2 ? 2 : 1;
            const float *p = scores + h * length;
            float *out = output + h * D + d;
            const float *v = values + d;
#define E2H_CASE(NH, NW) \
    if (nh == NH && nw == NW) { e2h_values_avx2(p, length, v, stride, out, D, NH, NW); continue; }
            E2H_CASE(2, 4) E2H_CASE(1, 4) E2H_CASE(2, 3) E2H_CASE(1, 3)
            E2H_CASE(2, 2) E2H_CASE(1, 2) E2H_CASE(2, 1) E2H_CASE(1, 1)
#undef E2H_CASE
        }
    }
}

// ---- AVX-512 ----

E2H_AVX512 static inline __m512 e2h_exp16(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.7f));
    const __m512 shifter = _mm512_set1_ps(12582912.0f);
    const __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504f), shifter);
    const __m512 n = _mm512_sub_ps(shifted, shifter);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-6f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    const __m512i integer = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));
    const __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(integer, _mm512_set1_epi32(127)), 23));
    return _mm512_mul_ps(p, scale);
}

/// The 8-lane sum of a 16-lane vector's halves.
E2H_AVX512 static inline __m256 e2h_fold(__m512 v) {
    return _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
}

E2H_AVX512 static void e2h_softmax_avx512(float *row, long n, float scale) {
    __m512 mv = _mm512_set1_ps(-INFINITY);
    long i = 0;
    for (; i + 16 <= n; i += 16) mv = _mm512_max_ps(mv, _mm512_loadu_ps(row + i));
    const __mmask16 tail = (__mmask16)((1u << (n - i)) - 1);
    mv = _mm512_max_ps(mv, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), tail, row + i));
    const float maximum = _mm512_reduce_max_ps(mv);
    const __m512 s = _mm512_set1_ps(scale), shift = _mm512_set1_ps(maximum * scale);
    __m512 sum = _mm512_setzero_ps();
    for (i = 0; i + 16 <= n; i += 16) {
        const __m512 e = e2h_exp16(_mm512_fmsub_ps(_mm512_loadu_ps(row + i), s, shift));
        sum = _mm512_add_ps(sum, e);
        _mm512_storeu_ps(row + i, e);
    }
    if (tail) {
        const __m512 e = _mm512_maskz_mov_ps(tail, e2h_exp16(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(tail, row + i), s, shift)));
        sum = _mm512_add_ps(sum, e);
        _mm512_mask_storeu_ps(row + i, tail, e);
    }
    const __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (i = 0; i + 16 <= n; i += 16) _mm512_storeu_ps(row + i, _mm512_mul_ps(_mm512_loadu_ps(row + i), inverse));
    if (tail) _mm512_mask_storeu_ps(row + i, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, row + i), inverse));
}

/// 16 keys' or values' elements from `p` (float32, or bfloat16 when `half`: the upper 16 bits of a float32).
E2H_AVX512 static inline __attribute__((always_inline)) __m512 e2h_load_kv(const void *p, long index, int half) {
    if (half) {
        const __m256i words = _mm256_loadu_si256((const __m256i *)((const uint16_t *)p + index));
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(words), 16));
    }
    return _mm512_loadu_ps((const float *)p + index);
}

/// A stream of cache lines to prefetch into L2 a few at a time (the next task's keys or values),
/// spread over a loop so the line-fill buffers never fill in one burst.
typedef struct { const char *next, *end; long perStep; } e2h_prefetch_stream;

static inline __attribute__((always_inline)) e2h_prefetch_stream e2h_stream(const void *address, long bytes, long steps) {
    const long lines = address ? (bytes + 63) / 64 : 0;
    e2h_prefetch_stream s = {(const char *)address, (const char *)address + 64 * lines, steps > 0 ? (lines + steps - 1) / steps : lines};
    return s;
}

static inline __attribute__((always_inline)) void e2h_stream_step(e2h_prefetch_stream *s) {
    for (long i = 0; i < s->perStep && s->next < s->end; i++, s->next += 64) __builtin_prefetch(s->next, 0, 2);
}

static inline __attribute__((always_inline)) void e2h_stream_finish(e2h_prefetch_stream *s) {
    for (; s->next < s->end; s->next += 64) __builtin_prefetch(s->next, 0, 2);
}

/// out[h][0..<16·NW] = Σ_j p[h][j]·v_j[0..<16·NW] for NH heads (NH ≤ 3, NW ≤ 4: 12 accumulators).
E2H_AVX512 static inline __attribute__((always_inline)) void e2h_values_avx512(
    const float *p, long length, const void *values, long stride, float *out, long D, int NH, int NW, int half,
    e2h_prefetch_stream *prefetch) {
    __m512 acc[3][4];
    for (int h = 0; h < 3; h++)
        for (int c = 0; c < 4; c++) acc[h][c] = _mm512_setzero_ps();
    for (long j = 0; j < length; j++) {
        if (prefetch) e2h_stream_step(prefetch);
        __m512 row[4];
        for (int c = 0; c < NW; c++) row[c] = e2h_load_kv(values, j * stride + 16 * c, half);
        for (int h = 0; h < NH; h++) {
            const __m512 weight = _mm512_set1_ps(p[h * length + j]);
            for (int c = 0; c < NW; c++) acc[h][c] = _mm512_fmadd_ps(weight, row[c], acc[h][c]);
        }
    }
    for (int h = 0; h < NH; h++)
        for (int c = 0; c < NW; c++) _mm512_storeu_ps(out + h * D + 16 * c, acc[h][c]);
}

/// Scores of positions p0 ... p0+3 (keys from element `k0` on, `stride` apart) for NH ≤ 4 heads
/// (query h at q + h·D), written at out[h·length ...]: each key chunk loaded once for every head.
E2H_AVX512 static inline __attribute__((always_inline)) void e2h_scores4(
    const float *q, const void *keys, long k0, long stride, long D, long length, float *out, int NH, int half) {
    __m512 s[4][4];
    for (int h = 0; h < NH; h++)
        for (int p = 0; p < 4; p++) s[h][p] = _mm512_setzero_ps();
    for (long d = 0; d < D; d += 16) {
        __m512 key[4];
        for (int p = 0; p < 4; p++) key[p] = e2h_load_kv(keys, k0 + p * stride + d, half);
        for (int h = 0; h < NH; h++) {
            const __m512 qv = _mm512_loadu_ps(q + h * D + d);
            for (int p = 0; p < 4; p++) s[h][p] = _mm512_fmadd_ps(qv, key[p], s[h][p]);
        }
    }
    for (int h = 0; h < NH; h++)
        _mm_storeu_ps(out + h * length, e2h_hsum4(e2h_fold(s[h][0]), e2h_fold(s[h][1]), e2h_fold(s[h][2]), e2h_fold(s[h][3])));
}

/// The AVX-512 attention over float32 keys/values, or bfloat16 ones when `half` (offsets in elements).
E2H_AVX512 static inline __attribute__((always_inline)) void e2h_attend_group_body(
    const float *queries, long group, const void *keys, const void *values, long stride, long length, long D,
    float scale, float *scores, float *output, int half, const void *nextKeys, const void *nextValues, long nextBytes) {
    // The next task's keys stream in during this task's scores, its values during this one's sums.
    e2h_prefetch_stream keyStream = e2h_stream(nextKeys, nextBytes, length / 4);
    e2h_prefetch_stream valueStream = e2h_stream(nextValues, nextBytes, length);
    long j = 0;
    for (; j + 4 <= length; j += 4) {
        e2h_stream_step(&keyStream);
        const long k0 = j * stride;
        // Up to 4 heads at a time, each key chunk loaded (widened) once for all of them.
        for (long h0 = 0; h0 < group; h0 += 4) {
            const float *q = queries + h0 * D;
            float *out = scores + h0 * length + j;
            switch (group - h0) {
            case 1: e2h_scores4(q, keys, k0, stride, D, length, out, 1, half); break;
            case 2: e2h_scores4(q, keys, k0, stride, D, length, out, 2, half); break;
            case 3: e2h_scores4(q, keys, k0, stride, D, length, out, 3, half); break;
            default: e2h_scores4(q, keys, k0, stride, D, length, out, 4, half); break;
            }
        }
    }
    for (; j < length; j++) {
        for (long h = 0; h < group; h++) {
            __m512 s = _mm512_setzero_ps();
            for (long d = 0; d < D; d += 16)
                s = _mm512_fmadd_ps(_mm512_loadu_ps(queries + h * D + d), e2h_load_kv(keys, j * stride + d, half), s);
            scores[h * length + j] = _mm512_reduce_add_ps(s);
        }
    }
    e2h_stream_finish(&keyStream);
    for (long h = 0; h < group; h++) e2h_softmax_avx512(scores + h * length, length, scale);
    for (long d = 0; d < D; d += 64) {
        const int nw = D - d >= 64 ? 4 : (int)((D - d) / 16);
        for (long h = 0; h < group; h += 3) {
            const int nh = group - h >= 3 ? 3 : (int)(group - h);
            const float *p = scores + h * length;
            float *out = output + h * D + d;
            const void *v = half ? (const void *)((const uint16_t *)values + d) : (const void *)((const float *)values + d);
#define E2H_CASE(NH, NW) \
    if (nh == NH && nw == NW) { \
        e2h_values_avx512(p, length, v, stride, out, D, NH, NW, half, d == 0 && h == 0 ? &valueStream : 0); continue; }
            E2H_CASE(3, 4) E2H_CASE(2, 4) E2H_CASE(1, 4) E2H_CASE(3, 3) E2H_CASE(2, 3) E2H_CASE(1, 3)
            E2H_CASE(3, 2) E2H_CASE(2, 2) E2H_CASE(1, 2) E2H_CASE(3, 1) E2H_CASE(2, 1) E2H_CASE(1, 1)
#undef E2H_CASE
        }
    }
    e2h_stream_finish(&valueStream);
}

E2H_AVX512 void e2h_attend_group_avx512(const float *queries, long group, const float *keys, const float *values,
                                        long stride, long length, long D, float scale, float *scores, float *output,
                                        const void *nextKeys, const void *nextValues, long nextBytes) {
    e2h_attend_group_body(queries, group, keys, values, stride, length, D, scale, scores, output, 0,
                          nextKeys, nextValues, nextBytes);
}

E2H_AVX512 void e2h_attend_group_bf16_avx512(const float *queries, long group, const uint16_t *keys,
                                             const uint16_t *values, long stride, long length, long D, float scale,
                                             float *scores, float *output,
                                             const void *nextKeys, const void *nextValues, long nextBytes) {
    e2h_attend_group_body(queries, group, keys, values, stride, length, D, scale, scores, output, 1,
                          nextKeys, nextValues, nextBytes);
}

/// float32 → bfloat16, rounded to nearest even (NaN stays a quiet NaN), as `vcvtneps2bf16` does.
__attribute__((target("avx512f,avx512vl,avx512bf16"))) void e2h_bfloat16_from_float_avx512(
    const float *source, long count, uint16_t *destination) {
    long i = 0;
    for (; i + 16 <= count; i += 16)
        _mm256_storeu_si256((__m256i *)(destination + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(source + i)));
    if (i < count) {
        const __mmask16 tail = (__mmask16)((1u << (count - i)) - 1);
        _mm256_mask_storeu_epi16(destination + i, tail,
                                 (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(tail, source + i)));
    }
}

// ---- Rows of logits (the decode scheduler's per-row passes over the vocabulary) ----

/// log Σ exp(row): the maximum, then e^(x - max) summed through the same polynomial.
E2H_AVX512 float e2h_log_sum_exp_avx512(const float *row, long n) {
    __m512 mv = _mm512_set1_ps(-INFINITY);
    long i = 0;
    for (; i + 16 <= n; i += 16) mv = _mm512_max_ps(_mm512_loadu_ps(row + i), mv);
    const __mmask16 tail = (__mmask16)((1u << (n - i)) - 1);
    mv = _mm512_max_ps(_mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), tail, row + i), mv);
    const float maximum = _mm512_reduce_max_ps(mv);
    const __m512 shift = _mm512_set1_ps(maximum);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    for (i = 0; i + 32 <= n; i += 32) {
        s0 = _mm512_add_ps(s0, e2h_exp16(_mm512_sub_ps(_mm512_loadu_ps(row + i), shift)));
        s1 = _mm512_add_ps(s1, e2h_exp16(_mm512_sub_ps(_mm512_loadu_ps(row + i + 16), shift)));
    }
    for (; i < n; i += 16) {
        const __mmask16 lanes = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        s0 = _mm512_add_ps(s0, _mm512_maskz_mov_ps(lanes, e2h_exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, row + i), shift))));
    }
    return maximum + logf(_mm512_reduce_add_ps(_mm512_add_ps(s0, s1)));
}

/// The first index of the largest value (NaNs never count), or -1 when no value exceeds -inf and
/// none equals it (every value NaN).
E2H_AVX512 long e2h_argmax_avx512(const float *row, long n) {
    __m512 mv = _mm512_set1_ps(-INFINITY);
    long i = 0;
    // max(x, m) is x only where x > m: a NaN never replaces the running maximum.
    for (; i + 16 <= n; i += 16) mv = _mm512_max_ps(_mm512_loadu_ps(row + i), mv);
    const __mmask16 tail = (__mmask16)((1u << (n - i)) - 1);
    mv = _mm512_max_ps(_mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), tail, row + i), mv);
    const float maximum = _mm512_reduce_max_ps(mv);
    const __m512 target = _mm512_set1_ps(maximum);
    for (i = 0; i < n; i += 16) {
        const __mmask16 lanes = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        const __mmask16 hit = _mm512_mask_cmp_ps_mask(lanes, _mm512_maskz_loadu_ps(lanes, row + i), target, _CMP_EQ_OQ);
        if (hit) return i + __builtin_ctz(hit);
    }
    return -1;
}

#else

void e2h_attend_group_avx2(const float *queries, long group, const float *keys, const float *values,
                           long stride, long length, long D, float scale, float *scores, float *output) {
    __builtin_trap();
}

void e2h_attend_group_avx512(const float *queries, long group, const float *keys, const float *values,
                             long stride, long length, long D, float scale, float *scores, float *output,
                             const void *nextKeys, const void *nextValues, long nextBytes) {
    __builtin_trap();
}

void e2h_attend_group_bf16_avx512(const float *queries, long group, const uint16_t *keys, const uint16_t *values,
                                  long stride, long length, long D, float scale, float *scores, float *output,
                                  const void *nextKeys, const void *nextValues, long nextBytes) {
    __builtin_trap();
}

void e2h_bfloat16_from_float_avx512(const float *source, long count, uint16_t *destination) {
    __builtin_trap();
}

float e2h_log_sum_exp_avx512(const float *row, long n) {
    __builtin_trap();
}

long e2h_argmax_avx512(const float *row, long n) {
    __builtin_trap();
}

#endif
