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
        var rng = SeededRandom(seed: seed, stream: 1_000)
        var docs: [TextDocument] = []
        docs.reserveCapacity(count)
        var pending: String?
        while docs.count < count {
            var text = pending ?? drawFact(&rng)
            pending = nil
            while true {
                let fact = drawFact(&rng)
                if text.unicodeScalars.count + 2 + fact.unicodeScalars.count > config.maxTextLength {
                    pending = fact
                    break
                }
                text += SolutionFormat.stepSeparator + fact
            }
            docs.append(TextDocument(text: text))
        }
        return docs
    }

    /// One fact, written exactly like a solution step.
    func drawFact(_ rng: inout SeededRandom) -> String {
        let p = config.pretraining
        let op = rng.element(of: Operation.allCases)
        switch op {
        case .add, .subtract:
            var a = rng.number(digits: p.sumDigits, allowZero: true)
            var b = rng.number(digits: p.sumDigits, allowZero: true)
            if op == .subtract, a < b { swap(&a, &b) }
            return BenchmarkTask.stepText(a, op, b, op.apply(a, b) ?? 0)
        case .multiply:
            let m = rng.number(digits: p.multiplicandDigits, allowZero: true)
            let k = rng.number(digits: p.multiplierDigits, allowZero: true)
            let (a, b) = rng.chance(0.5) ? (m, k) : (k, m)
            return BenchmarkTask.stepText(a, op, b, a * b)
        case .divide:
            let d = max(2, rng.number(digits: p.divisorDigits))
            let q = rng.number(digits: p.quotientDigits, allowZero: true)
            return BenchmarkTask.stepText(d * q, op, d, q)
        }
    }
}
