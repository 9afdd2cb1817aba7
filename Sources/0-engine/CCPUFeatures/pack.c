// GEMM's float packing (GEMM/Packing.swift) with AVX2: a block of `lanes` × `depth` floats into
// panels of `width` lanes stored k-major, dest[panel][p][l] = src[(panel·width + l)·laneStride +
// p·depthStride], the lanes of the last panel past `lanes` zero. Two source layouts:
// - depth contiguous (depthStride 1: A of nn/nt, B of nt): a transpose, eight lanes × eight depths
//   at a time through an 8×8 register transpose;
// - lanes contiguous (laneStride 1: A of tn) with width 6 (the micro-kernel's MR), which the Swift
//   loop copies one float at a time: 4 + 2 floats per depth row.
// A copy: the packed values are the source's bits. Compiled for the baseline with a per-function
// target attribute; call only after `e2h_cpu_has_avx2_fma()`.

#include "CCPUFeatures.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define E2H_AVX2 __attribute__((target("avx2,fma")))

/// r[i] = row i (eight depths) → r[j] = depth j (eight rows).
E2H_AVX2 static inline void e2h_transpose8(__m256 *r) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20); r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20); r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31); r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31); r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/// Lanes l0 ..< l0 + n (n ≤ 8; rows[i] null past the block) of one panel, all depths, into
/// d[p·width + i] for i < n. `n` is the lanes written: 8, or 6 for a width-6 panel.
E2H_AVX2 static void e2h_pack_transposed8(const float *const *rows, long depth, long width, long n, float *d) {
    const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
    long p = 0;
    for (; p + 8 <= depth; p += 8) {
        __m256 v[8];
        for (int i = 0; i < 8; i++) v[i] = rows[i] ? _mm256_loadu_ps(rows[i] + p) : _mm256_setzero_ps();
        e2h_transpose8(v);
        if (n == 8) {
            for (int j = 0; j < 8; j++) _mm256_storeu_ps(d + (p + j) * width, v[j]);
        } else {
            // Six lanes: each store spills two floats into the next depth's slot, which the next
            // store (or the tail) then writes; the panel's last depth is stored masked.
            for (int j = 0; j < 8; j++) {
                if (p + j + 1 < depth) _mm256_storeu_ps(d + (p + j) * width, v[j]);
                else _mm256_maskstore_ps(d + (p + j) * width, six, v[j]);
            }
        }
    }
    for (; p < depth; p++) {
        for (long i = 0; i < n; i++) d[p * width + i] = rows[i] ? rows[i][p] : 0;
    }
}

E2H_AVX2 void e2h_pack_panels_avx2(const float *src, long laneStride, long depthStride, long lanes, long depth,
                                   long width, float *dest) {
    const long panels = (lanes + width - 1) / width;
    if (depthStride == 1) {
        for (long panel = 0; panel < panels; panel++) {
            float *d = dest + panel * width * depth;
            for (long l0 = 0; l0 < width; l0 += 8) {
                const float *rows[8];
                const long n = width - l0 < 8 ? width - l0 : 8;
                for (long i = 0; i < 8; i++) {
                    const long lane = panel * width + l0 + i;
                    rows[i] = i < n && lane < lanes ? src + lane * laneStride : 0;
                }
                e2h_pack_transposed8(rows, depth, width, n, d + l0);
            }
        }
        return;
    }
    // laneStride == 1, width 6: a few source rows at a time, panel by panel (Packing.swift: the
    // source rows and the panels sit multiples of 4 KB apart and would evict one another).
    const long full = lanes / 6, tail = lanes - full * 6;
    for (long p0 = 0; p0 < depth; p0 += 4) {
        const long p1 = p0 + 4 < depth ? p0 + 4 : depth;
        for (long panel = 0; panel < full; panel++) {
            const float *s = src + panel * 6;
            float *d = dest + panel * 6 * depth;
            for (long p = p0; p < p1; p++) {
                _mm_storeu_ps(d + p * 6, _mm_loadu_ps(s + p * depthStride));
                _mm_storel_pi((__m64 *)(d + p * 6 + 4), _mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(s + p * depthStride + 4)));
            }
        }
        if (tail > 0) {
            const float *s = src + full * 6;
            float *d = dest + full * 6 * depth;
            for (long p = p0; p < p1; p++) {
                for (long l = 0; l < 6; l++) d[p * 6 + l] = l < tail ? s[p * depthStride + l] : 0;
            }
        }
    }
}

#else

void e2h_pack_panels_avx2(const float *src, long laneStride, long depthStride, long lanes, long depth,
                          long width, float *dest) {
    __builtin_trap();
}

#endif
