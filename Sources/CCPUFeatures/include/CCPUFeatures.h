#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H
/// 1 when the running CPU (and OS) supports AVX-512F/BW/DQ/VL, else 0.
int e2h_cpu_has_avx512(void);
/// 1 when the running CPU supports AVX2 and FMA, else 0.
int e2h_cpu_has_avx2_fma(void);
#endif
