// The AVX2 packing (CCPUFeatures/pack.c) against the Swift loops: the same floats, bit for bit,
// for every layout it takes, tails of lanes and depth, and nothing written past the panels.

@testable import GEMM
import Testing

@Suite("Panel packing")
struct PackingTests {
    @Test(arguments: [6, 8, 16, 32])
    func avx2PackingEqualsTheLoops(width: Int) {
        var generator = SplitMix64(state: UInt64(width))
        for lanes in [1, 5, 6, 7, 8, 13, 32, 33, 70] {
            for depth in [1, 3, 8, 9, 17, 64] {
                for transposed in [true, false] where transposed || width == 6 {
                    // Transposed: lanes strided, depth contiguous; else lanes contiguous, depth strided.
                    let (laneStride, depthStride) = transposed ? (depth + 3, 1) : (1, lanes + 5)
                    let source = (0..<(lanes * laneStride + depth * depthStride)).map { _ in Float(Int(generator.next() % 2001)) - 1000 }
                    let count = (lanes + width - 1) / width * width * depth
                    var fast = [Float](repeating: .nan, count: count + 16), loops = fast
                    source.withUnsafeBufferPointer { src in
                        packPanels(src.baseAddress!, laneStride: laneStride, depthStride: depthStride, lanes: lanes, depth: depth,
                                   width: width, into: &fast)
                        packPanelsLoops(src.baseAddress!, laneStride: laneStride, depthStride: depthStride, lanes: lanes,
                                        depth: depth, width: width, into: &loops)
                    }
                    let same = Array(fast[..<count]) == Array(loops[..<count])
                    let untouched = fast[count...].allSatisfy { $0.isNaN }
                    #expect(same, "width \(width), lanes \(lanes), depth \(depth), transposed \(transposed)")
                    #expect(untouched, "written past the panels: width \(width), lanes \(lanes), depth \(depth)")
                }
            }
        }
    }
}
