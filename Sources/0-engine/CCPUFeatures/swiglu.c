// SwiGLU forward and backward on AVX2 and AVX-512 (Kernels' swigluForward / swigluBackward call
// these where the CPU has them; their Swift form is compiled for the baseline, where a SIMD8 is
// two SSE halves). The same operations as the Swift form in the same order, lane by lane, with no
// fused multiply-add (contraction is off in this file): the exp polynomial of Kernels/FastMath.swift
// (exp8), σ(g) = 1 / (1 + e^-g), h = g·σ(g)·u; dg = dh·u·σ·(1 + g·(1 − σ)), du = dh·g·σ. So the
// results are the Swift form's bit for bit (tested), only more lanes at a time; tails run masked
// (AVX-512) or through an 8-lane buffer (AVX2), lane-wise the same arithmetic.
//
// Shapes: gateUp (rows, 2·hidden) with the gate in the first half of each row and the up
// projection in the second; output / outputGrad (rows, hidden); gateUpGrad (rows, 2·hidden).

#include "CCPUFeatures.h"

#pragma clang fp contract(off)

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define E2H_AVX2 __attribute__((target("avx2")))
#define E2H_AVX512 __attribute__((target("avx512f,avx512dq,avx2")))

// ---- AVX-512 ----

/// exp8 of FastMath.swift on 16 lanes: clamp to [-87.3, 88.7] (NaN stays NaN), n = round(x·log2e)
/// by the 1.5·2^23 shifter, Cody–Waite r, the degree-6 polynomial, 2^n in the exponent bits.
E2H_AVX512 static inline __m512 e2h_sw_exp16(__m512 x) {
    x = _mm512_max_ps(_mm512_set1_ps(-87.3f), x);
    x = _mm512_min_ps(_mm512_set1_ps(88.7f), x);
    const __m512 shifter = _mm512_set1_ps(12582912.0f);
    const __m512 shifted = _mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)), shifter);
    const __m512 n = _mm512_sub_ps(shifted, shifter);
    __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(0.693145751953125f)));
    r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(1.428606765330187045e-6f)));
    __m512 p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(0.5f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f));
    const __m512i integer = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));
    const __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(integer, _mm512_set1_epi32(127)), 23));
    return _mm512_mul_ps(p, scale);
}

E2H_AVX512 static inline __m512 e2h_sw_sigmoid16(__m512 x) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 negated = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u)));
    return _mm512_div_ps(one, _mm512_add_ps(one, e2h_sw_exp16(negated)));
}

E2H_AVX512 void e2h_swiglu_forward_avx512(float *output, const float *gateUp, long rows, long hidden) {
    for (long row = 0; row < rows; row++) {
        const float *g = gateUp + row * 2 * hidden, *u = g + hidden;
        float *h = output + row * hidden;
        for (long i = 0; i < hidden; i += 16) {
            const __mmask16 lanes = hidden - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (hidden - i)) - 1);
            const __m512 gv = _mm512_maskz_loadu_ps(lanes, g + i), uv = _mm512_maskz_loadu_ps(lanes, u + i);
            _mm512_mask_storeu_ps(h + i, lanes, _mm512_mul_ps(_mm512_mul_ps(gv, e2h_sw_sigmoid16(gv)), uv));
        }
    }
}

E2H_AVX512 void e2h_swiglu_backward_avx512(float *gateUpGrad, const float *outputGrad, const float *gateUp,
                                           long rows, long hidden) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (long row = 0; row < rows; row++) {
        const float *g = gateUp + row * 2 * hidden, *u = g + hidden, *dh = outputGrad + row * hidden;
        float *dg = gateUpGrad + row * 2 * hidden, *du = dg + hidden;
        for (long i = 0; i < hidden; i += 16) {
            const __mmask16 lanes = hidden - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (hidden - i)) - 1);
            const __m512 gv = _mm512_maskz_loadu_ps(lanes, g + i), uv = _mm512_maskz_loadu_ps(lanes, u + i);
            const __m512 dhv = _mm512_maskz_loadu_ps(lanes, dh + i);
            const __m512 s = e2h_sw_sigmoid16(gv);
            const __m512 dgv = _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(dhv, uv), s),
                                             _mm512_add_ps(one, _mm512_mul_ps(gv, _mm512_sub_ps(one, s))));
            const __m512 duv = _mm512_mul_ps(_mm512_mul_ps(dhv, gv), s);
            _mm512_mask_storeu_ps(dg + i, lanes, dgv);
            _mm512_mask_storeu_ps(du + i, lanes, duv);
        }
    }
}

// ---- AVX2 ----

E2H_AVX2 static inline __m256 e2h_sw_exp8(__m256 x) {
    x = _mm256_max_ps(_mm256_set1_ps(-87.3f), x);
    x = _mm256_min_ps(_mm256_set1_ps(88.7f), x);
    const __m256 shifter = _mm256_set1_ps(12582912.0f);
    const __m256 shifted = _mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)), shifter);
    const __m256 n = _mm256_sub_ps(shifted, shifter);
    __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(0.693145751953125f)));
    r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(1.428606765330187045e-6f)));
    __m256 p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(0.5f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.0f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.0f));
    const __m256i integer = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(integer, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(p, scale);
}

E2H_AVX2 static inline __m256 e2h_sw_sigmoid8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, e2h_sw_exp8(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)))));
}

E2H_AVX2 void e2h_swiglu_forward_avx2(float *output, const float *gateUp, long rows, long hidden) {
    for (long row = 0; row < rows; row++) {
        const float *g = gateUp + row * 2 * hidden, *u = g + hidden;
        float *h = output + row * hidden;
        long i = 0;
        for (; i + 8 <= hidden; i += 8) {
            const __m256 gv = _mm256_loadu_ps(g + i), uv = _mm256_loadu_ps(u + i);
            _mm256_storeu_ps(h + i, _mm256_mul_ps(_mm256_mul_ps(gv, e2h_sw_sigmoid8(gv)), uv));
        }
        if (i < hidden) {
            const long n = hidden - i;
            float gb[8] = {0}, ub[8] = {0}, hb[8];
            memcpy(gb, g + i, (size_t)n * sizeof(float));
            memcpy(ub, u + i, (size_t)n * sizeof(float));
            const __m256 gv = _mm256_loadu_ps(gb), uv = _mm256_loadu_ps(ub);
            _mm256_storeu_ps(hb, _mm256_mul_ps(_mm256_mul_ps(gv, e2h_sw_sigmoid8(gv)), uv));
            memcpy(h + i, hb, (size_t)n * sizeof(float));
        }
    }
}

E2H_AVX2 void e2h_swiglu_backward_avx2(float *gateUpGrad, const float *outputGrad, const float *gateUp,
                                       long rows, long hidden) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (long row = 0; row < rows; row++) {
        const float *g = gateUp + row * 2 * hidden, *u = g + hidden, *dh = outputGrad + row * hidden;
        float *dg = gateUpGrad + row * 2 * hidden, *du = dg + hidden;
        // Full vectors straight from the rows; the tail (n < 8) through zero-padded buffers.
        for (long i = 0; i < hidden; i += 8) {
            const long n = hidden - i < 8 ? hidden - i : 8;
            float gb[8] = {0}, ub[8] = {0}, db[8] = {0}, dgb[8], dub[8];
            const int full = n == 8;
            if (!full) {
                memcpy(gb, g + i, (size_t)n * sizeof(float));
                memcpy(ub, u + i, (size_t)n * sizeof(float));
                memcpy(db, dh + i, (size_t)n * sizeof(float));
            }
            const __m256 gv = _mm256_loadu_ps(full ? g + i : gb), uv = _mm256_loadu_ps(full ? u + i : ub);
            const __m256 dhv = _mm256_loadu_ps(full ? dh + i : db);
            const __m256 s = e2h_sw_sigmoid8(gv);
            _mm256_storeu_ps(full ? dg + i : dgb, _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(dhv, uv), s),
                                                              _mm256_add_ps(one, _mm256_mul_ps(gv, _mm256_sub_ps(one, s)))));
            _mm256_storeu_ps(full ? du + i : dub, _mm256_mul_ps(_mm256_mul_ps(dhv, gv), s));
            if (!full) {
                memcpy(dg + i, dgb, (size_t)n * sizeof(float));
                memcpy(du + i, dub, (size_t)n * sizeof(float));
            }
        }
    }
}

#else

void e2h_swiglu_forward_avx512(float *output, const float *gateUp, long rows, long hidden) { __builtin_trap(); }
void e2h_swiglu_backward_avx512(float *gateUpGrad, const float *outputGrad, const float *gateUp, long rows, long hidden) { __builtin_trap(); }
void e2h_swiglu_forward_avx2(float *output, const float *gateUp, long rows, long hidden) { __builtin_trap(); }
void e2h_swiglu_backward_avx2(float *gateUpGrad, const float *outputGrad, const float *gateUp, long rows, long hidden) { __builtin_trap(); }

#endif
