#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H
#include <stdint.h>

/// 1 when the running CPU (and OS) supports AVX-512F/BW/DQ/VL, else 0.
int e2h_cpu_has_avx512(void);
/// 1 when the running CPU supports AVX2 and FMA, else 0.
int e2h_cpu_has_avx2_fma(void);

/// Asks the CPU to start fetching the cache line holding `address`, to be written soon
/// (`prefetchw` / `prfm pstl1keep`); a hint only, never faults. Swift has no prefetch of its own.
static inline void e2h_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

/// Asks the CPU to start fetching the cache line holding `address` into L2 (not L1), to be read
/// a little later (`prefetcht1` / `prfm pldl2keep`).
static inline void e2h_prefetch_to_l2(const void *address) {
    __builtin_prefetch(address, 0, 2);
}
/// Asks for every cache line of `bytes` bytes from `address` into L2, to be read soon (a block a
/// kernel reads next, whose start the hardware prefetcher would only catch after some misses).
static inline void e2h_prefetch_range_to_l2(const void *address, long bytes) {
    for (long offset = 0; offset < bytes; offset += 64) __builtin_prefetch((const char *)address + offset, 0, 2);
}

// Atomics on one 64-bit word, for GEMM's spinning workers (Swift's own need macOS 15).
static inline int64_t e2h_atomic_load(const int64_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void e2h_atomic_store(int64_t *p, int64_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
static inline int64_t e2h_atomic_add(int64_t *p, int64_t v) { return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST); }
/// Replaces *p by `desired` if it holds `expected`; 1 when it did.
static inline int e2h_atomic_swap_if(int64_t *p, int64_t expected, int64_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
/// A spin-wait hint (`pause` / `yield`).
static inline void e2h_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

// quant_int8.c: quantized weight rows times 8-bit activations (AVX2; call only after
// e2h_cpu_has_avx2_fma() says so). Shapes: m activation rows of `blocks`·32 values.

/// Quantizes (m, lda) floats `x` to (m, blocks·32) int8 `qs` with one scale per block of 32,
/// (m, blocks) `scales`, and `sums` = scale·Σq per block (ggml's Q8_1).
void e2h_q8_quantize_rows_avx2(const float *x, long lda, long m, long blocks,
                               int8_t *qs, float *scales, float *sums);

/// c[i·ldc + j] (+)= Σ_k a[i, k]·W[j, k] for i < m and firstColumn <= j < endColumn, with a given
/// as `e2h_q8_quantize_rows_avx2` wrote it and W's row j stored at
/// base + (rowOrder ? rowOrder[j] : j)·rowBytes as blocks of `format` (0 Q4_0, 1 Q4_1, 2 Q8_0).
void e2h_quant_rows_int8_avx2(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                              long firstColumn, long endColumn, long blocks,
                              const int8_t *qs, const float *scales, const float *sums, long m,
                              float *c, long ldc, int accumulate);

/// 1 when the CPU has AVX-512 F/BW/DQ/VL and VNNI (vpdpbusd), else 0.
int e2h_cpu_has_avx512_vnni(void);

/// The AVX-512 VNNI form of `e2h_quant_rows_int8_avx2` (two blocks per instruction; `blocks`
/// even): scales and sums come expanded by `e2h_q8_expand_avx512`. Call only when
/// e2h_cpu_has_avx512_vnni() says so.
void e2h_quant_rows_int8_vnni(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                              long firstColumn, long endColumn, long blocks,
                              const int8_t *qs, const float *scales8, const float *sums8, long m,
                              float *c, long ldc, int accumulate);

/// pack.c: GEMM's float panels (Packing.swift's layout) from a source whose depth is contiguous
/// (depthStride 1; width 6 or a multiple of 8), or whose lanes are contiguous (laneStride 1;
/// width 6). AVX2 only.
void e2h_pack_panels_avx2(const float *src, long laneStride, long depthStride, long lanes, long depth,
                          long width, float *dest);

/// quant_pack.c: rows firstRow ..< firstRow + rows of a quantized matrix (stored as `rowBytes`
/// rows of blocks of `format`, row j at base + (rowOrder ? rowOrder[j] : j)·rowBytes), columns
/// k0 ..< k0 + depth, as GEMM's packed panels of `width` (a multiple of 8) lanes:
/// dest[(l / width)·depth·width + p·width + l % width] = W[firstRow + l, k0 + p], the lanes of the
/// last panel past `rows` zero. The values are avx2QuantizedDequantizeRow's. AVX2 only.
void e2h_quant_pack_panels_avx2(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                                long firstRow, long rows, long k0, long depth, long width, float *dest);
/// The same panels, sixteen rows at a time (`width` a multiple of 16). AVX-512 only.
void e2h_quant_pack_panels_avx512(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                                  long firstRow, long rows, long k0, long depth, long width, float *dest);

/// Writes 8 copies of each of `count` scales to `scales8`, and each sum followed by 7 zeros to
/// `sums8` (8·count floats each), the activation layout of `e2h_quant_rows_int8_vnni`.
void e2h_q8_expand_avx512(const float *scales, const float *sums, long count, float *scales8, float *sums8);

// attention.c: decoding attention for one key/value head and its `group` query heads, with FMA
// (Kernels' attendCachedGroup). Query h at queries + h·D; position j's key/value at
// keys/values + j·stride; scores: group·length floats of scratch (left holding the
// probabilities); head h's result at output + h·D. Call the AVX2 form only after
// e2h_cpu_has_avx2_fma() (D % 8 == 0), the AVX-512 form after e2h_cpu_has_avx512() (D % 16 == 0).
void e2h_attend_group_avx2(const float *queries, long group, const float *keys, const float *values,
                           long stride, long length, long D, float scale, float *scores, float *output);
/// The AVX-512 forms also prefetch into L2, spread over their loops, `nextBytes` bytes of the keys
/// and values the caller reads next (`nextKeys`, `nextValues`; NULL for none).
void e2h_attend_group_avx512(const float *queries, long group, const float *keys, const float *values,
                             long stride, long length, long D, float scale, float *scores, float *output,
                             const void *nextKeys, const void *nextValues, long nextBytes);
/// The AVX-512 form over bfloat16 keys/values (stride in elements; D % 16 == 0).
void e2h_attend_group_bf16_avx512(const float *queries, long group, const uint16_t *keys, const uint16_t *values,
                                  long stride, long length, long D, float scale, float *scores, float *output,
                                  const void *nextKeys, const void *nextValues, long nextBytes);
/// `count` floats rounded to bfloat16 (nearest even; NaN a quiet NaN). Call only where AVX-512 BF16
/// runs (e2h_amx_bf16_available() returned 1 implies it).
void e2h_bfloat16_from_float_avx512(const float *source, long count, uint16_t *destination);


// quant_rows.c: c[i·ldc + j] (+)= Σ_k a[i·lda + k]·W[j, k] for i < m and firstColumn <= j <
// endColumn, float activations, W's row j stored at base + (rowOrder ? rowOrder[j] : j)·rowBytes
// as `blocks` blocks of `format` (0 Q4_0, 1 Q4_1, 2 Q8_0), `headers` the stored rows' block headers
// laid out apart by `e2h_quant_split_headers`. Call only after e2h_cpu_has_avx512().
void e2h_quant_rows_f32_avx512(int format, const void *base, long rowBytes, const int32_t *rowOrder,
                               const uint16_t *headers, long firstColumn, long endColumn, long blocks,
                               const float *a, long lda, long m, float *c, long ldc, int accumulate);
/// The block headers of `rows` stored rows of `blocks` blocks each, row after row: per row its
/// blocks' d (IEEE halves), then for Q4_1 (format 1) their m; `rows · blocks · (format == 1 ? 2 : 1)`
/// halves. Portable.
void e2h_quant_split_headers(int format, const void *base, long rows, long blocks, uint16_t *headers);

// swiglu.c: SwiGLU forward h = silu(g)·u and backward over (rows, 2·hidden) gateUp rows, the Swift
// form's operations bit for bit (no FMA). AVX-512 forms after e2h_cpu_has_avx512(), AVX2 forms
// after e2h_cpu_has_avx2_fma().
void e2h_swiglu_forward_avx512(float *output, const float *gateUp, long rows, long hidden);
void e2h_swiglu_backward_avx512(float *gateUpGrad, const float *outputGrad, const float *gateUp, long rows, long hidden);
void e2h_swiglu_forward_avx2(float *output, const float *gateUp, long rows, long hidden);
void e2h_swiglu_backward_avx2(float *gateUpGrad, const float *outputGrad, const float *gateUp, long rows, long hidden);

// adamw.c: AdamW's update of `count` parameters and moments, each lane the Swift form's scalar
// expression bit for bit (no FMA). The AVX-512 form after e2h_cpu_has_avx512(), the AVX2 form
// after e2h_cpu_has_avx2_fma().
void e2h_adamw_avx512(float *parameters, const float *gradients, float *m, float *v, long count, float scale,
                      float b1, float b2, float c1, float c2, float correction1, float correction2, float lr,
                      float eps, float decay);
void e2h_adamw_avx2(float *parameters, const float *gradients, float *m, float *v, long count, float scale,
                    float b1, float b2, float c1, float c2, float correction1, float correction2, float lr,
                    float eps, float decay);

/// log Σ exp(row[0..<n]), AVX-512 (e2h_cpu_has_avx512()).
float e2h_log_sum_exp_avx512(const float *row, long n);
/// The first index of the largest of row[0..<n] (NaNs never count), -1 when every value is NaN; AVX-512.
long e2h_argmax_avx512(const float *row, long n);

/// amx_gemm.c: 1 when this CPU has AMX tiles with bf16 dot products (and AVX-512 BF16) and Linux
/// granted this process the tile state, else 0 (always 0 off x86-64 Linux). Asks once.
int e2h_amx_bf16_available(void);
/// C(m, n) (+)= A(m, k) · B(k, n) with A and B rounded to bfloat16 (to nearest even) and float32
/// sums, on this thread: A(i, p) = a[i·aRow + p·aDepth], B(p, j) = b[p·bDepth + j·bCol],
/// C(i, j) = c[i·ldc + j]. Call only after e2h_amx_bf16_available() returned 1.
void e2h_amx_gemm_bf16(long m, long n, long k, const float *a, long aRow, long aDepth,
                       const float *b, long bDepth, long bCol, float *c, long ldc, int accumulate);
/// The blocking of the bf16 products: depth block, column block, row block.
void e2h_amx_blocking(long *kc, long *nc, long *mc);
/// Lane tiles firstTile ..< endTile (16 columns each) of B's block (`columns` x `depth` ≤ the
/// blocking; B(p, j) = b[p·bDepth + j·bCol]) into `dst`, laid out for `e2h_amx_rows`: several
/// threads may pack disjoint tile ranges of one block. AMX only.
void e2h_amx_pack_b(const float *b, long bDepth, long bCol, long columns, long depth,
                    long firstTile, long endTile, uint16_t *dst);
/// C(rows, columns) (+)= A(rows, depth) · B for a packed B block: A(i, p) = a[i·aRow + p·aDepth],
/// A packed on this thread. AMX only.
void e2h_amx_rows(const float *a, long aRow, long aDepth, long rows, long depth,
                  const uint16_t *packedB, long columns, float *c, long ldc, int accumulate);
/// The bf16 tile peak loop: `iterations` x 4 tile dot products (4 x 16,384 flops) on resident tiles,
/// for `e2h bench`'s share of the machine's peak. Call only after e2h_amx_bf16_available() returned 1.
float e2h_amx_bf16_peak_loop(long iterations);

#endif
