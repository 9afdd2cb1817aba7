import Support
extension BenchmarkGenerator {
    /// `count` documents of the unlabelled pretraining corpus: single facts `a op b = c`
    /// separated by blank lines, each document at most ``BenchmarkConfig/maxTextLength`` long.
    ///
    /// The facts cover every operand size the levels use (``PretrainingSpec``), the analogue of
    /// the web text a real model is pretrained on; the corpus contains no problem and no
    /// solution. Drawn from its own random stream, so it is independent of the problems.
    /// - Throws: ``DataError/invalidArgument(_:)`` for an invalid configuration.
    public func pretrainingDocuments(count: Int) throws -> [TextDocument] {
        try config.validate()
        var rng = SeededGenerator(seed: seed, stream: 1_000)
        var docs: [TextDocument] = []
        docs.reserveCapacity(count)
        var pending: (text: String, result: Int)?
        while docs.count < count {
            var (text, previous) = pending ?? drawFact(&rng, previous: nil)
            pending = nil
            while true {
                let fact = drawFact(&rng, previous: rng.chance(config.pretraining.continuationShare) ? previous : nil)
                if text.unicodeScalars.count + 2 + fact.text.unicodeScalars.count > config.maxTextLength {
                    pending = drawFact(&rng, previous: nil)
                    break
                }
                text += SolutionFormat.stepSeparator + fact.text
                previous = fact.result
            }
            docs.append(TextDocument(text: text))
        }
        return docs
    }

    /// One fact, written exactly like a solution step, and its result. With `previous`, the fact
    /// uses that number as an operand when the operation allows it at the corpus's sizes.
    func drawFact(_ rng: inout SeededGenerator, previous: Int?) -> (text: String, result: Int) {
        let p = config.pretraining
        func fits(_ n: Int?, _ digits: ClosedRange<Int>) -> Int? {
            n.flatMap { String($0).count <= digits.upperBound ? $0 : nil }
        }
        let op = rng.element(of: Operation.allCases)
        var a: Int, b: Int
        switch op {
        case .add, .subtract:
            a = fits(previous, p.sumDigits) ?? rng.number(digits: p.sumDigits, allowZero: true)
            b = rng.number(digits: p.sumDigits, allowZero: true)
            if op == .subtract, a < b { swap(&a, &b) }
            if op == .add, rng.chance(0.5) { swap(&a, &b) }
        case .multiply:
            let m = fits(previous, p.multiplicandDigits) ?? rng.number(digits: p.multiplicandDigits, allowZero: true)
            let k = rng.number(digits: p.multiplierDigits, allowZero: true)
            (a, b) = rng.chance(0.5) ? (m, k) : (k, m)
        case .divide:
            let lo = max(2, pow10(p.divisorDigits.lowerBound - 1)), hi = pow10(p.divisorDigits.upperBound) - 1
            if let n = previous, n > 0, case let divisors = (lo...hi).filter({ n % $0 == 0 }), !divisors.isEmpty {
                a = n; b = rng.element(of: divisors)
            } else {
                b = max(2, rng.number(digits: p.divisorDigits))
                a = b * rng.number(digits: p.quotientDigits, allowZero: true)
            }
        }
        let c = op.apply(a, b) ?? 0
        return (BenchmarkTask.stepText(a, op, b, c), c)
    }
}
