// Key/value cache for incremental decoding: for every layer, every sequence slot and every
// position, the rotated key and the value of each key/value head.
//
// Layout per layer: keys, values (S, P, Dkv) with S slots, P = `capacity` positions per slot,
// Dkv = G·D. The capacity is the context the caller asked for (`maxPositions`), or, when it asked
// for none, grows by doubling with the longest sequence cached, up to `max_position_embeddings`:
// a model with 131,072 positions decoding 200-token sequences holds 256 positions per slot.

/// Cached keys and values of up to `slotCount` sequences of different lengths.
public final class KVCache {
    public let config: TransformerConfig
    public let slotCount: Int
    /// Longest sequence a slot may hold.
    public let maxPositions: Int
    /// Positions per slot allocated now (≤ `maxPositions`).
    public private(set) var capacity: Int
    /// Tokens cached so far in each slot.
    public internal(set) var lengths: [Int]
    /// (L) × (S, capacity, Dkv) keys and values.
    private(set) var keys: [UnsafeMutablePointer<Float>]
    private(set) var values: [UnsafeMutablePointer<Float>]

    /// - Parameter maxPositions: the context to allocate for, capped at `max_position_embeddings`;
    ///   nil allocates lazily (doubling, from 32 positions) up to `max_position_embeddings`.
    public init(config: TransformerConfig, slotCount: Int, maxPositions: Int? = nil) {
        self.config = config
        self.slotCount = slotCount
        self.maxPositions = min(maxPositions ?? config.maxPositions, config.maxPositions)
        capacity = maxPositions == nil ? min(32, self.maxPositions) : self.maxPositions
        lengths = Array(repeating: 0, count: slotCount)
        let perLayer = slotCount * capacity * config.keyValueWidth
        keys = (0..<config.layerCount).map { _ in .allocate(capacity: perLayer) }
        values = (0..<config.layerCount).map { _ in .allocate(capacity: perLayer) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Grows every slot to hold at least `positions` positions (doubling, capped at
    /// `maxPositions`), keeping what is cached.
    public func reserve(positions: Int) {
        guard positions > capacity else { return }
        var grown = max(capacity, 1)
        while grown < positions { grown *= 2 }
        grown = max(positions, min(grown, maxPositions))
        let Dkv = config.keyValueWidth, perLayer = slotCount * grown * Dkv
        func regrow(_ old: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
            let new = UnsafeMutablePointer<Float>.allocate(capacity: perLayer)
            for s in 0..<slotCount where lengths[s] > 0 {
                (new + s * grown * Dkv).update(from: old + s * capacity * Dkv, count: lengths[s] * Dkv)
            }
            old.deallocate()
            return new
        }
        keys = keys.map(regrow)
        values = values.map(regrow)
        capacity = grown
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
        if source != destination {
            for l in 0..<config.layerCount {
                (keys[l] + offset(slot: destination, position: 0)).update(from: keys[l] + offset(slot: source, position: 0), count: count)
                (values[l] + offset(slot: destination, position: 0)).update(from: values[l] + offset(slot: source, position: 0), count: count)
            }
        }
        lengths[destination] = positions
    }

    @inline(__always) func offset(slot: Int, position: Int) -> Int {
        (slot * capacity + position) * config.keyValueWidth
    }

    /// Bytes held by the cache now.
    public var byteCount: Int { 2 * config.layerCount * slotCount * capacity * config.keyValueWidth * 4 }
}
