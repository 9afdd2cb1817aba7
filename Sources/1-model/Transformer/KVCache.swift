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
//
// Elements are float32, or bfloat16 (`precision: .bfloat16`, the `--matmul bf16` of a CPU with
// AMX; under `torch.autocast(bfloat16)` the projections' keys and values are bfloat16 and so is
// transformers' cache): half the bytes decoding streams at every step; attention computes in float32.

import GEMM
import Kernels

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
    /// The stored elements: float32, or bfloat16 (where AMX runs: ``MatmulPrecision/effective``).
    public let precision: MatmulPrecision
    /// Bytes per element (4 or 2).
    let elementBytes: Int
    /// (L) × (S, G, capacity, D) keys and values.
    private(set) var keys: [UnsafeMutableRawPointer]
    private(set) var values: [UnsafeMutableRawPointer]

    /// - Parameters:
    ///   - maxPositions: the context to allocate for, capped at `max_position_embeddings`; nil
    ///     allocates lazily (doubling, from 32 positions) up to `max_position_embeddings`.
    ///   - precision: `.bfloat16` stores bfloat16 where AMX runs, else float32.
    public init(config: TransformerConfig, slotCount: Int, maxPositions: Int? = nil,
                precision: MatmulPrecision = .float32) {
        self.config = config
        self.slotCount = slotCount
        self.maxPositions = min(maxPositions ?? config.maxPositions, config.maxPositions)
        self.precision = precision.effective
        elementBytes = self.precision == .bfloat16 ? 2 : 4
        capacity = maxPositions == nil ? min(32, self.maxPositions) : self.maxPositions
        lengths = Array(repeating: 0, count: slotCount)
        let perLayer = slotCount * config.keyValueHeadCount * Self.blockElements(capacity, config, elementBytes: elementBytes)
        let bytes = perLayer * elementBytes
        keys = (0..<config.layerCount).map { _ in .allocate(byteCount: bytes, alignment: 64) }
        values = (0..<config.layerCount).map { _ in .allocate(byteCount: bytes, alignment: 64) }
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
        let D = config.headDim, G = config.keyValueHeadCount, e = elementBytes
        let oldBlock = Self.blockElements(capacity, config, elementBytes: e) * e
        let newBlock = Self.blockElements(grown, config, elementBytes: e) * e
        let perLayer = slotCount * G * newBlock
        func regrow(_ old: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
            let new = UnsafeMutableRawPointer.allocate(byteCount: perLayer, alignment: 64)
            for s in 0..<slotCount where lengths[s] > 0 {
                for g in 0..<G {
                    (new + (s * G + g) * newBlock).copyMemory(from: old + (s * G + g) * oldBlock, byteCount: lengths[s] * D * e)
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
        let perLayer = slotCount * config.keyValueHeadCount * Self.blockElements(capacity, config, elementBytes: elementBytes)
        for p in keys + values { p.initializeMemory(as: UInt8.self, repeating: 0, count: perLayer * elementBytes) }
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
        let bytes = positions * config.headDim * elementBytes
        if source != destination {
            for l in 0..<config.layerCount {
                for g in 0..<config.keyValueHeadCount {
                    let to = offset(slot: destination, head: g, position: 0), from = offset(slot: source, head: g, position: 0)
                    (keys[l] + to * elementBytes).copyMemory(from: keys[l] + from * elementBytes, byteCount: bytes)
                    (values[l] + to * elementBytes).copyMemory(from: values[l] + from * elementBytes, byteCount: bytes)
                }
            }
        }
        lengths[destination] = positions
    }

    /// Stores one position's key and value of kv head `head` (D floats each), rounded to the
    /// cache's precision.
    @inline(__always)
    func store(layer l: Int, slot: Int, head: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let at = offset(slot: slot, head: head, position: position), D = config.headDim
        if precision == .bfloat16 {
            roundToBFloat16(key, count: D, into: (keys[l] + 2 * at).assumingMemoryBound(to: UInt16.self))
            roundToBFloat16(value, count: D, into: (values[l] + 2 * at).assumingMemoryBound(to: UInt16.self))
        } else {
            (keys[l] + 4 * at).assumingMemoryBound(to: Float.self).update(from: key, count: D)
            (values[l] + 4 * at).assumingMemoryBound(to: Float.self).update(from: value, count: D)
        }
    }

    /// The key (or value, `value: true`) of one position as float32 (widened from bfloat16).
    public func read(layer l: Int, slot: Int, head: Int, position: Int, value: Bool = false) -> [Float] {
        let base = (value ? values : keys)[l], at = offset(slot: slot, head: head, position: position)
        return (0..<config.headDim).map { d in
            precision == .bfloat16 ? float(bfloat16: base.load(fromByteOffset: 2 * (at + d), as: UInt16.self))
                : base.load(fromByteOffset: 4 * (at + d), as: Float.self)
        }
    }

    /// Where key/value head `head` of `position` in `slot` starts in a layer's keys or values, in elements.
    @inline(__always) func offset(slot: Int, head: Int, position: Int) -> Int {
        (slot * config.keyValueHeadCount + head) * Self.blockElements(capacity, config, elementBytes: elementBytes)
            + position * config.headDim
    }

    /// Elements of one (slot, head) block: `capacity` positions and a cache line of padding.
    @inline(__always) static func blockElements(_ capacity: Int, _ config: TransformerConfig, elementBytes: Int) -> Int {
        capacity * config.headDim + 64 / elementBytes
    }

    /// Bytes the cache of `config` takes for `slots` slots of `positions` positions in `precision`.
    public static func byteCount(config: TransformerConfig, slots: Int, positions: Int,
                                 precision: MatmulPrecision = .float32) -> Int {
        let e = precision.effective == .bfloat16 ? 2 : 4
        return 2 * config.layerCount * slots * config.keyValueHeadCount * blockElements(positions, config, elementBytes: e) * e
    }

    /// Bytes held by the cache now.
    public var byteCount: Int { Self.byteCount(config: config, slots: slotCount, positions: capacity, precision: precision) }
}
