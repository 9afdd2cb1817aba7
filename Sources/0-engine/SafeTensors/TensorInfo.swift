// What the header says about one tensor, after validation.

/// The dtype, shape and location of one tensor in a safetensors file.
public struct TensorInfo: Equatable, Sendable {
    /// The tensor's name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// The element type stored in the file.
    public let dtype: SafeTensorsDType
    /// The shape, outermost dimension first (row-major). `[]` is a scalar.
    public let shape: [Int]
    /// The product of `shape` (1 for a scalar).
    public let elementCount: Int
    /// Byte offset of the first element, relative to the start of the data section.
    public let dataOffset: Int
    /// `elementCount * dtype.byteSize`.
    public var byteCount: Int { elementCount * dtype.byteSize }
}

/// The element count of `shape`, or nil if a dimension is negative or the product overflows
/// once multiplied by `elementSize`.
func checkedElementCount(_ shape: [Int], elementSize: Int) -> Int? {
    var count = 1
    for dim in shape {
        guard dim >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: dim)
        guard !overflow else { return nil }
        count = product
    }
    guard !count.multipliedReportingOverflow(by: elementSize).overflow else { return nil }
    return count
}
