// AdamW's update on AVX-512 and AVX2 (Kernels' adamWUpdate calls these where the CPU has them; its
// Swift form is compiled for the baseline, where a SIMD8 is two SSE halves). Each lane does the
// Swift form's scalar expression with the same operations in the same order and no fused
// multiply-add (contraction is off in this file), so the parameters and moments are the Swift
// form's bit for bit (tested):
//   g = grad·scale; m = β1·m + (1−β1)·g; v = β2·v + ((1−β2)·g)·g;
//   p = p − (lr·((m / c1) / (√(v / c2) + ε)) + decay·p).

#include "CCPUFeatures.h"

#pragma clang fp contract(off)

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f,avx2"))) void e2h_adamw_avx512(float *parameters, const float *gradients, float *m, float *v, long count,
                                            float scale, float b1, float b2, float c1, float c2, float correction1,
                                            float correction2, float lr, float eps, float decay) {
    const __m512 vs = _mm512_set1_ps(scale), vb1 = _mm512_set1_ps(b1), vb2 = _mm512_set1_ps(b2);
    const __m512 vc1 = _mm512_set1_ps(c1), vc2 = _mm512_set1_ps(c2), k1 = _mm512_set1_ps(correction1);
    const __m512 k2 = _mm512_set1_ps(correction2), vlr = _mm512_set1_ps(lr), ve = _mm512_set1_ps(eps);
    const __m512 vd = _mm512_set1_ps(decay);
    for (long i = 0; i < count; i += 16) {
        const __mmask16 lanes = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        const __m512 g = _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, gradients + i), vs);
        const __m512 m8 = _mm512_add_ps(_mm512_mul_ps(vb1, _mm512_maskz_loadu_ps(lanes, m + i)), _mm512_mul_ps(vc1, g));
        const __m512 v8 = _mm512_add_ps(_mm512_mul_ps(vb2, _mm512_maskz_loadu_ps(lanes, v + i)),
                                        _mm512_mul_ps(_mm512_mul_ps(vc2, g), g));
        _mm512_mask_storeu_ps(m + i, lanes, m8);
        _mm512_mask_storeu_ps(v + i, lanes, v8);
        const __m512 mHat = _mm512_div_ps(m8, k1), vHat = _mm512_div_ps(v8, k2);
        const __m512 p = _mm512_maskz_loadu_ps(lanes, parameters + i);
        const __m512 step = _mm512_mul_ps(vlr, _mm512_div_ps(mHat, _mm512_add_ps(_mm512_sqrt_ps(vHat), ve)));
        _mm512_mask_storeu_ps(parameters + i, lanes, _mm512_sub_ps(p, _mm512_add_ps(step, _mm512_mul_ps(vd, p))));
    }
}

/// The same on AVX2, 8 lanes; the tail through a zero-padded buffer (lane-wise the same arithmetic).
__attribute__((target("avx2"))) void e2h_adamw_avx2(float *parameters, const float *gradients, float *m, float *v,
                                                  long count, float scale, float b1, float b2, float c1, float c2,
                                                  float correction1, float correction2, float lr, float eps, float decay) {
    const __m256 vs = _mm256_set1_ps(scale), vb1 = _mm256_set1_ps(b1), vb2 = _mm256_set1_ps(b2);
    const __m256 vc1 = _mm256_set1_ps(c1), vc2 = _mm256_set1_ps(c2), k1 = _mm256_set1_ps(correction1);
    const __m256 k2 = _mm256_set1_ps(correction2), vlr = _mm256_set1_ps(lr), ve = _mm256_set1_ps(eps);
    const __m256 vd = _mm256_set1_ps(decay);
    for (long i = 0; i < count; i += 8) {
        const long n = count - i < 8 ? count - i : 8;
        float pb[8] = {0}, gb[8] = {0}, mb[8] = {0}, vb[8] = {0};
        // Full vectors in place; the tail (n < 8) through zero-padded buffers.
        float *P = parameters + i, *M = m + i, *V = v + i;
        const float *G = gradients + i;
        if (n < 8) {
            for (long j = 0; j < n; j++) { pb[j] = P[j]; gb[j] = G[j]; mb[j] = M[j]; vb[j] = V[j]; }
            P = pb; G = gb; M = mb; V = vb;
        }
        const __m256 g = _mm256_mul_ps(_mm256_loadu_ps(G), vs);
        const __m256 m8 = _mm256_add_ps(_mm256_mul_ps(vb1, _mm256_loadu_ps(M)), _mm256_mul_ps(vc1, g));
        const __m256 v8 = _mm256_add_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(V)), _mm256_mul_ps(_mm256_mul_ps(vc2, g), g));
        const __m256 mHat = _mm256_div_ps(m8, k1), vHat = _mm256_div_ps(v8, k2);
        const __m256 p = _mm256_loadu_ps(P);
        const __m256 step = _mm256_mul_ps(vlr, _mm256_div_ps(mHat, _mm256_add_ps(_mm256_sqrt_ps(vHat), ve)));
        _mm256_storeu_ps(P, _mm256_sub_ps(p, _mm256_add_ps(step, _mm256_mul_ps(vd, p))));
        _mm256_storeu_ps(M, m8);
        _mm256_storeu_ps(V, v8);
        if (n < 8) for (long j = 0; j < n; j++) { parameters[i + j] = pb[j]; m[i + j] = mb[j]; v[i + j] = vb[j]; }
    }
}

#else

void e2h_adamw_avx2(float *parameters, const float *gradients, float *m, float *v, long count, float scale,
                    float b1, float b2, float c1, float c2, float correction1, float correction2, float lr,
                    float eps, float decay) { __builtin_trap(); }
void e2h_adamw_avx512(float *parameters, const float *gradients, float *m, float *v, long count, float scale,
                      float b1, float b2, float c1, float c2, float correction1, float correction2, float lr,
                      float eps, float decay) { __builtin_trap(); }

#endif
