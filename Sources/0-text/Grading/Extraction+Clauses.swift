/// Clauses of a sentence that justify or condition an answer rather than state it.
///
/// "x = 2 is the only solution, because 3 fails." states 2; the 3 belongs to the clause that gives the
/// reason. A clause opened by a subordinating word ("because", "since", "as", "when", "if", "after",
/// "while", "unless", "except", "not", "instead", "rather") runs to the next comma, semicolon, sentence end
/// or coordinating word ("so", "thus", "hence", "therefore", "then", "but"). The final value of a text is
/// its last value outside such clauses; when every value is inside one ("After 3 days she has 18 left"),
/// the last value.
enum Clauses {
    /// Words that open a clause whose values are not the answer.
    static let openers: Set<String> = ["because", "since", "as", "when", "whenever", "if", "after", "before", "while",
                                       "whereas", "unless", "except", "not", "instead", "rather", "otherwise"]
    /// Words that close such a clause (a new main clause starts).
    static let closers: Set<String> = ["so", "thus", "hence", "therefore", "then", "but"]

    /// Ranges (in unicode scalars of `chars`) of the subordinate clauses, sorted. Linear in the length.
    static func subordinate(_ chars: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var open: Int? = nil
        var i = 0
        let n = chars.count
        while i < n {
            let c = chars[i]
            if AnswerExtractor.isLetter(c) {
                var j = i
                var word = ""
                while j < n, AnswerExtractor.isLetter(chars[j]) {
                    if word.utf8.count < 12 { word.unicodeScalars.append(chars[j]) }
                    j += 1
                }
                // Command names (`\not`, `\since`) are not words of the sentence.
                if i == 0 || chars[i - 1] != "\\" {
                    let lower = word.lowercased()
                    if let o = open, closers.contains(lower) {
                        out.append(o..<i)
                        open = nil
                    } else if open == nil, openers.contains(lower) {
                        open = i
                    }
                }
                i = j
                continue
            }
            if let o = open, c == "," || c == ";" || c == "\n" || c == "\u{3002}" || c == "\u{FF0C}"
                || ((c == "." || c == "!" || c == "?") && (i + 1 == n || chars[i + 1] == " " || chars[i + 1] == "\n")) {
                out.append(o..<i)
                open = nil
            }
            i += 1
        }
        if let o = open { out.append(o..<n) }
        return out
    }

    /// Whether position `p` lies in one of `ranges` (sorted, disjoint).
    static func contains(_ ranges: [Range<Int>], _ p: Int) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound <= p { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].contains(p)
    }

    /// The last of `items` (by start position) outside the subordinate clauses of `chars`; the last item
    /// when all are inside one.
    static func lastOutside<T>(_ items: [T], start: (T) -> Int, in chars: [Unicode.Scalar]) -> T? {
        guard items.count > 1 else { return items.last }
        let scopes = subordinate(chars)
        if scopes.isEmpty { return items.last }
        return items.last(where: { !contains(scopes, start($0)) }) ?? items.last
    }
}
