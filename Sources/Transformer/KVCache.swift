// Key/value cache for incremental decoding: for every layer, every sequence slot and every
// position, the rotated key and the value of each key/value head.
//
// Layout per layer: keys, values (S, P, Dkv) with S slots, P = maxPositions, Dkv = G·D.

/// Cached keys and values of up to `slotCount` sequences of different lengths.
public final class KVCache {
    public let config: TransformerConfig
    public let slotCount: Int
    public let maxPositions: Int
    /// Tokens cached so far in each slot.
    public internal(set) var lengths: [Int]
    /// (L) × (S, P, Dkv) keys and values.
    let keys: [UnsafeMutablePointer<Float>]
    let values: [UnsafeMutablePointer<Float>]

    public init(config: TransformerConfig, slotCount: Int, maxPositions: Int? = nil) {
        self.config = config
        self.slotCount = slotCount
        self.maxPositions = min(maxPositions ?? config.maxPositions, config.maxPositions)
        lengths = Array(repeating: 0, count: slotCount)
        let perLayer = slotCount * self.maxPositions * config.keyValueWidth
        keys = (0..<config.layerCount).map { _ in .allocate(capacity: perLayer) }
        values = (0..<config.layerCount).map { _ in .allocate(capacity: perLayer) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Forgets a slot's contents so a new sequence can use it.
    public func reset(slot: Int) { lengths[slot] = 0 }

    /// Keeps only the first `length` cached positions of a slot.
    public func truncate(slot: Int, length: Int) { lengths[slot] = min(lengths[slot], length) }

    /// Forgets every slot.
    public func resetAll() { for s in 0..<slotCount { lengths[s] = 0 } }

    /// Copies the first `length` cached positions of `source` (all of them when nil) into
    /// `destination`, e.g. one prompt's cache into the slots of its many samples.
    public func copy(slot source: Int, to destination: Int, length: Int? = nil) {
        let positions = min(length ?? lengths[source], lengths[source])
        let count = positions * config.keyValueWidth
        for l in 0..<config.layerCount {
            (keys[l] + offset(slot: destination, position: 0)).update(from: keys[l] + offset(slot: source, position: 0), count: count)
            (values[l] + offset(slot: destination, position: 0)).update(from: values[l] + offset(slot: source, position: 0), count: count)
        }
        lengths[destination] = positions
    }

    @inline(__always) func offset(slot: Int, position: Int) -> Int {
        (slot * maxPositions + position) * config.keyValueWidth
    }

    /// Bytes held by the cache.
    public var byteCount: Int { 2 * config.layerCount * slotCount * maxPositions * config.keyValueWidth * 4 }
}
