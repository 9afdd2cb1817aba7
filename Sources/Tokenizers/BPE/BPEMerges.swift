import Foundation

/// The merge table of a byte-level BPE and the encoder of one pre-token.
///
/// A pre-token starts as one symbol per byte; the adjacent pair with the lowest merge rank (the
/// leftmost on ties) is merged until no pair has a merge, as Hugging Face's `BPE::merge_word`
/// does. Results are cached per pre-token (texts repeat words constantly).
final class BPEMerges: @unchecked Sendable {
    /// Token id of each single byte, or -1 when the vocabulary lacks it (the byte is dropped, as
    /// Hugging Face does without an unknown token).
    let idOfByte: [Int32]  // (256)
    /// `(left << 32 | right)` -> `(rank << 32 | merged id)`.
    private let merges: [UInt64: UInt64]
    /// Raw bytes -> id of every vocabulary token (for `ignoreMerges`).
    private let idOfBytes: [[UInt8]: Int]
    /// Llama 3: a pre-token that is itself a token is not merged (tokenizer.json `ignore_merges`).
    let ignoreMerges: Bool

    private let lock = NSLock()
    private var cache: [[UInt8]: [Int32]] = [:]
    private static let cacheLimit = 200_000

    init(idOfByte: [Int32], merges: [UInt64: UInt64], idOfBytes: [[UInt8]: Int], ignoreMerges: Bool) {
        self.idOfByte = idOfByte
        self.merges = merges
        self.idOfBytes = idOfBytes
        self.ignoreMerges = ignoreMerges
    }

    static func key(_ left: Int, _ right: Int) -> UInt64 { UInt64(left) << 32 | UInt64(right) }

    /// Ids of one pre-token.
    func encode(_ bytes: [UInt8]) -> [Int32] {
        lock.lock()
        if let hit = cache[bytes] {
            lock.unlock()
            return hit
        }
        lock.unlock()
        let ids = merge(bytes)
        lock.lock()
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[bytes] = ids
        lock.unlock()
        return ids
    }

    /// The merges of one pre-token, uncached: O(n) per merge, so O(n^2) for a pre-token of n
    /// bytes (pre-tokens are words, numbers and whitespace runs: short).
    func merge(_ bytes: [UInt8]) -> [Int32] {
        if ignoreMerges, bytes.count > 1, let id = idOfBytes[bytes] { return [Int32(id)] }
        var symbols: [Int32] = []
        symbols.reserveCapacity(bytes.count)
        for byte in bytes where idOfByte[Int(byte)] >= 0 { symbols.append(idOfByte[Int(byte)]) }
        guard symbols.count > 1 else { return symbols }
        // rank[i]: merge of (symbols[i], symbols[i+1]) as (rank << 32 | merged), or .max.
        var rank = [UInt64](repeating: .max, count: symbols.count - 1)
        for i in 0..<(symbols.count - 1) {
            rank[i] = merges[Self.key(Int(symbols[i]), Int(symbols[i + 1]))] ?? .max
        }
        while !rank.isEmpty {
            var best = 0
            for i in 1..<rank.count where rank[i] >> 32 < rank[best] >> 32 { best = i }
            guard rank[best] != .max else { break }
            symbols[best] = Int32(truncatingIfNeeded: rank[best] & 0xFFFF_FFFF)
            symbols.remove(at: best + 1)
            rank.remove(at: best)
            if best > 0 {
                rank[best - 1] = merges[Self.key(Int(symbols[best - 1]), Int(symbols[best]))] ?? .max
            }
            if best < rank.count {
                rank[best] = merges[Self.key(Int(symbols[best]), Int(symbols[best + 1]))] ?? .max
            }
        }
        return symbols
    }
}
