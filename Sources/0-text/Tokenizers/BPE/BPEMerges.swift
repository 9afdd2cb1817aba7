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

    /// The merges of one pre-token, uncached: a doubly linked list of symbols and a min-heap of
    /// `(rank, position)` for adjacent pairs, so O(n log n) for n bytes (a pre-token can be a
    /// whitespace run of any length). Stale heap entries are skipped when popped.
    func merge(_ bytes: [UInt8]) -> [Int32] {
        if ignoreMerges, bytes.count > 1, let id = idOfBytes[bytes] { return [Int32(id)] }
        var symbols: [Int32] = []
        symbols.reserveCapacity(bytes.count)
        for byte in bytes where idOfByte[Int(byte)] >= 0 { symbols.append(idOfByte[Int(byte)]) }
        let n = symbols.count
        guard n > 1 else { return symbols }
        var next = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int32(i + 1) }
            buffer[n - 1] = -1
            count = n
        }
        var previous = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int32(i - 1) }
            count = n
        }
        var heap = MinHeap()
        func push(_ i: Int) {
            let j = Int(next[i])
            guard j >= 0, let m = merges[Self.key(Int(symbols[i]), Int(symbols[j]))] else { return }
            heap.push((m >> 32) << 32 | UInt64(i))
        }
        for i in 0..<(n - 1) { push(i) }
        while let top = heap.pop() {
            let rank = top >> 32, i = Int(top & 0xFFFF_FFFF)
            let j = Int(next[i])
            // Stale: the left symbol was merged away (its slot is unlinked) or the pair changed.
            guard symbols[i] >= 0, j >= 0, let m = merges[Self.key(Int(symbols[i]), Int(symbols[j]))], m >> 32 == rank else {
                continue
            }
            symbols[i] = Int32(truncatingIfNeeded: m & 0xFFFF_FFFF)
            symbols[j] = -1
            let k = Int(next[j])
            next[i] = Int32(k)
            if k >= 0 { previous[k] = Int32(i) }
            if previous[i] >= 0 { push(Int(previous[i])) }
            push(i)
        }
        return symbols.filter { $0 >= 0 }
    }

    /// The same merges by the plain algorithm (scan for the lowest-ranked pair, leftmost on ties,
    /// merge it, repeat): O(n^2), the reference ``merge(_:)`` is tested against.
    func mergeReference(_ bytes: [UInt8]) -> [Int32] {
        if ignoreMerges, bytes.count > 1, let id = idOfBytes[bytes] { return [Int32(id)] }
        var symbols = bytes.compactMap { idOfByte[Int($0)] >= 0 ? idOfByte[Int($0)] : nil }
        while symbols.count > 1 {
            var best: (rank: UInt64, index: Int, merged: Int32)?
            for i in 0..<(symbols.count - 1) {
                if let m = merges[Self.key(Int(symbols[i]), Int(symbols[i + 1]))], m >> 32 < best?.rank ?? .max {
                    best = (m >> 32, i, Int32(truncatingIfNeeded: m & 0xFFFF_FFFF))
                }
            }
            guard let best else { break }
            symbols[best.index] = best.merged
            symbols.remove(at: best.index + 1)
        }
        return symbols
    }
}

/// A binary min-heap of UInt64 keys.
struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ key: UInt64) {
        items.append(key)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > items[i] else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count, items[l] < items[smallest] { smallest = l }
                if r < items.count, items[r] < items[smallest] { smallest = r }
                if smallest == i { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return top
    }
}
