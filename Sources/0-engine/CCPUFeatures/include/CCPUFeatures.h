#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H
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
#endif
