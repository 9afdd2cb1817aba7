// The AVX2+FMA instantiation of the shared macro-kernel (MacroKernel.swift): 6×16 micro-tiles of
// two SIMD8<Float> per row, twelve ymm accumulators. This module is compiled with
// `-target-cpu x86-64-v3`; GEMM calls it only when `e2h_cpu_has_avx2_fma()` says the CPU can.

/// One ymm register of floats.
typealias KernelVector = SIMD8<Float>

/// c + a·b as one fused instruction (`vfmadd231ps`); `c + a * b` would not be fused.
@inline(__always)
func multiplyAdd(_ c: KernelVector, _ a: KernelVector, _ b: KernelVector) -> KernelVector {
    c.addingProduct(a, b)
}

#if arch(x86_64)
/// Micro-tile shape (MR, NR) of `avx2MacroKernel`: packed A panels have MR rows, B panels NR columns.
public let avx2MicroTile = (rows: microTileRows, columns: microTileColumns)

/// C(mc, nc) (+)= packed A block · packed B block with AVX2+FMA. Call only on a CPU with AVX2 and FMA.
///
/// - Parameters:
///   - packedA: (mc/MR, kc, MR) panels, the last zero-padded to MR rows.
///   - packedB: (nc/NR, kc, NR) panels, the last zero-padded to NR columns.
///   - c: (mc, nc) with `ldc` floats between rows.
///   - accumulate: add into C instead of overwriting it.
public func avx2MacroKernel(
    mc: Int, nc: Int, kc: Int,
    packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    macroKernel(mc: mc, nc: nc, kc: kc, packedA: packedA, packedB: packedB, c: c, ldc: ldc,
                accumulate: accumulate)
}
#endif

#if arch(x86_64)
/// `quantizedRowsKernel` (QuantizedKernel.swift) with AVX2+FMA+F16C. Call only on such a CPU.
public func avx2QuantizedRows(
    format: Int, base: UnsafeRawPointer, rowBytes: Int, rowOrder: UnsafePointer<Int32>?,
    columns: Range<Int>, blocks: Int, a: UnsafePointer<Float>, lda: Int, m: Int,
    blockSums: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    quantizedRowsKernel(format: format, base: base, rowBytes: rowBytes, rowOrder: rowOrder, columns: columns,
                        blocks: blocks, a: a, lda: lda, m: m, blockSums: blockSums, c: c, ldc: ldc, accumulate: accumulate)
}

/// `quantizedDequantizeRow` (QuantizedKernel.swift) with AVX2+FMA+F16C. Call only on such a CPU.
public func avx2QuantizedDequantizeRow(format: Int, row: UnsafeRawPointer, blocks: Int, out: UnsafeMutablePointer<Float>) {
    quantizedDequantizeRow(format: format, row: row, blocks: blocks, out: out)
}
#endif
