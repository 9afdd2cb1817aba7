// Key/value cache for incremental decoding: for every layer, every sequence slot and every
// position, the rotated key and the value of each key/value head.
//
// Layout per layer: keys, values (S, G, P, D) with S slots, G key/value heads, P = `capacity`
// positions per slot, D the head size: one head's positions are contiguous, so the attention of a
// (slot, head) streams through one block instead of taking D of every G·D floats (a 1 KB stride
// at G·D = 256, which the hardware prefetchers follow poorly). The capacity is the context the caller asked for (`maxPositions`), or, when it asked
// for none, grows by doubling with the longest sequence cached, up to `max_position_embeddings`:
// a model with 131,072 positions decoding 200-token sequences holds 256 positions per slot.
// Each (slot, head) block is padded by one cache line: at capacity·D·4 bytes (a power of two such
// as 32 KB) the blocks' starts would share cache sets once their pages are contiguous in memory
// (huge pages), and decoding at batch 64 ran 18% slower.

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
    /// (L) × (S, G, capacity, D) keys and values.
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
        let perLayer = slotCount * config.keyValueHeadCount * Self.blockFloats(capacity, config)
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
        let D = config.headDim, G = config.keyValueHeadCount
        let oldBlock = Self.blockFloats(capacity, config), newBlock = Self.blockFloats(grown, config)
        let perLayer = slotCount * G * newBlock
        func regrow(_ old: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
            let new = UnsafeMutablePointer<Float>.allocate(capacity: perLayer)
            for s in 0..<slotCount where lengths[s] > 0 {
                for g in 0..<G {
                    (new + (s * G + g) * newBlock).update(from: old + (s * G + g) * oldBlock, count: lengths[s] * D)
                }
            }
            old.deallocate()
            return new
        }
        keys = keys.map(regrow)
        values = values.map(regrow)
        capacity = grown
    }

    /// Writes zeros over every allocated position, so its memory pages are mapped now rather than on
    /// first use: a benchmark then times decoding alone, as a peer that allocates its cache with
    /// `torch.zeros` does. Nothing cached is kept.
    public func mapAllPages() {
        let perLayer = slotCount * config.keyValueHeadCount * Self.blockFloats(capacity, config)
        for p in keys + values { p.initialize(repeating: 0, count: perLayer) }
        resetAll()
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
        let count = positions * config.headDim
        if source != destination {
            for l in 0..<config.layerCount {
                for g in 0..<config.keyValueHeadCount {
                    let to = offset(slot: destination, head: g, position: 0), from = offset(slot: source, head: g, position: 0)
                    (keys[l] + to).update(from: keys[l] + from, count: count)
                    (values[l] + to).update(from: values[l] + from, count: count)
                }
            }
        }
        lengths[destination] = positions
    }

    /// Where key/value head `head` of `position` in `slot` starts in a layer's keys or values.
    @inline(__always) func offset(slot: Int, head: Int, position: Int) -> Int {
        (slot * config.keyValueHeadCount + head) * Self.blockFloats(capacity, config) + position * config.headDim
    }

    /// Floats of one (slot, head) block: `capacity` positions and a cache line of padding.
    @inline(__always) static func blockFloats(_ capacity: Int, _ config: TransformerConfig) -> Int {
        capacity * config.headDim + 16
    }

    /// Bytes held by the cache now.
    public var byteCount: Int { 2 * config.layerCount * slotCount * config.keyValueHeadCount * Self.blockFloats(capacity, config) * 4 }
}
