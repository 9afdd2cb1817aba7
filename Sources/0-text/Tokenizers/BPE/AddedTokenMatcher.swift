/// Finds added tokens in text before pre-tokenization: at the leftmost position where any token
/// matches, the longest one wins (Hugging Face matches them with a leftmost-longest automaton).
struct AddedTokenMatcher: Sendable {
    /// A piece of the input: an added token, or text for the BPE.
    enum Segment: Equatable {
        case token(id: Int, start: Int)
        case text(Range<Int>)
    }

    private struct Candidate: Sendable {
        let scalars: [Unicode.Scalar]
        let token: ByteLevelBPE.AddedToken
    }

    /// Candidates by their first scalar, longest first.
    private let byFirst: [UInt32: [Candidate]]

    init(_ tokens: [ByteLevelBPE.AddedToken]) {
        var byFirst: [UInt32: [Candidate]] = [:]
        for token in tokens {
            let scalars = Array(token.content.unicodeScalars)
            guard let first = scalars.first else { continue }
            byFirst[first.value, default: []].append(Candidate(scalars: scalars, token: token))
        }
        for key in byFirst.keys { byFirst[key]!.sort { $0.scalars.count > $1.scalars.count } }
        self.byFirst = byFirst
    }

    /// The text cut at added tokens; special ones only when `includingSpecial`.
    func segments(_ s: [Unicode.Scalar], includingSpecial: Bool) -> [Segment] {
        guard !byFirst.isEmpty else { return [.text(0..<s.count)] }
        var out: [Segment] = []
        var textStart = 0
        var i = 0
        while i < s.count {
            guard let candidates = byFirst[s[i].value],
                  let match = candidates.first(where: { c in
                      (includingSpecial || !c.token.special) && i + c.scalars.count <= s.count
                          && s[i..<(i + c.scalars.count)].elementsEqual(c.scalars)
                  })
            else {
                i += 1
                continue
            }
            var textEnd = i
            if match.token.lstrip {
                while textEnd > textStart, s[textEnd - 1].properties.isWhitespace { textEnd -= 1 }
            }
            if textEnd > textStart { out.append(.text(textStart..<textEnd)) }
            out.append(.token(id: match.token.id, start: textEnd))
            i += match.scalars.count
            if match.token.rstrip {
                while i < s.count, s[i].properties.isWhitespace { i += 1 }
            }
            textStart = i
        }
        if textStart < s.count { out.append(.text(textStart..<s.count)) }
        return out
    }
}
