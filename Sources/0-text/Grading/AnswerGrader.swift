/// Bounds that keep every comparison finite; hitting one yields "not equal" with a reason.
public struct GradingLimits: Sendable, Codable, Equatable {
    /// Longest answer (characters) that is parsed.
    public var maxAnswerLength: Int = 2000
    /// Most tokens in one answer.
    public var maxTokens: Int = 1000
    /// Deepest nesting of brackets, fractions and signs.
    public var maxDepth: Int = 48
    /// Work steps for one comparison (each node evaluation, each big-number word product).
    public var maxSteps: Int = 150_000
    /// Largest exact number in bits before switching to doubles.
    public var maxBits: Int = 1 << 17
    /// Largest n for which n! is computed exactly.
    public var maxFactorial: Int = 5000

    public init() {}
}

/// An answer parsed once, for comparing against many others (re-ranking groups up to 1024 samples
/// without reparsing).
public struct ParsedAnswer: Sendable, Equatable {
    /// The answer text (extracted, wrappers removed).
    public let text: String
    /// The extraction rule, when the answer came from a solution text.
    public let rule: ExtractionRule?
    /// A key such that answers with equal keys are equivalent (normalized string, or the exact value
    /// of a constant answer). Different keys may still be equivalent: confirm with `equivalent`.
    public let groupingKey: String
    let key: String
    /// Lowercased words for text answers (computed only when a comparison needs it).
    var textKey: String { oversize ? key : Normalizer.textKey(text) }
    let oversize: Bool
    let expression: Expr?
    let failure: GradingFailure?
    /// The value of a constant scalar answer (percent and degrees read literally), computed once.
    let value: Value?
    /// The answer needs the full ladder even when `value` is known (percent, degrees, a stated
    /// decimal, a numeral in another base).
    let needsLadder: Bool

    public static func == (a: ParsedAnswer, b: ParsedAnswer) -> Bool {
        a.text == b.text && a.rule == b.rule && a.expression == b.expression
    }

    /// Whether the answer parsed as mathematics.
    public var isParsed: Bool { expression != nil }
}

/// Parses answers once and compares parsed answers by the grading ladder (docs/grading.md).
public struct AnswerGrader: Sendable {
    public var limits: GradingLimits

    public init(limits: GradingLimits = GradingLimits()) {
        self.limits = limits
    }

    /// Parses a bare answer (wrappers such as `$...$` or `\boxed{}` are removed first).
    public func parse(_ answer: String, rule: ExtractionRule? = nil) -> ParsedAnswer {
        parse(answer, rule: rule, isClean: false)
    }

    /// `isClean`: the text came from `extractAnswer`, which already removed the wrappers.
    func parse(_ answer: String, rule: ExtractionRule?, isClean: Bool, key knownKey: String? = nil) -> ParsedAnswer {
        let oversize = answer.utf8.count > limits.maxAnswerLength * 4
        let text = oversize || isClean ? answer : AnswerExtractor.clean(answer)
        let key = knownKey ?? (oversize ? "raw:" + text : Normalizer.stringKey(text))
        var expression: Expr? = nil
        var failure: GradingFailure? = nil
        if text.count > limits.maxAnswerLength {
            failure = .bound("answer longer than \(limits.maxAnswerLength) characters")
        } else {
            do {
                // `twenty-two` is 22, not twenty minus two.
                let source = Canonical.numberPhrase(text).map(String.init) ?? text
                var parser = Parser(tokens: try Lexer.tokenize(Normalizer.prepareForParsing(source), maxTokens: limits.maxTokens),
                                    maxDepth: limits.maxDepth)
                expression = Canonical.imaginaryJ(Canonical.resolveWords(try parser.parseAnswer()))
            } catch let f as GradingFailure {
                failure = f
            } catch {
                failure = .syntax("\(error)")
            }
        }
        var groupingKey = "s:" + key
        var value: Value? = nil
        var needsLadder = true
        if let e = expression, e.isScalar, !e.contains({ if case .symbol = $0 { return true }; return false }) {
            needsLadder = e.contains(EquivalenceChecker.isMarker) || EquivalenceChecker.statedDecimal(e) != nil
                || e.contains({ if case .based = $0 { return true }; return false })
            var ev = Evaluator(budget: budget)
            value = try? ev.evaluate(e)
            let based = e.contains({ if case .based = $0 { return true }; return false })
            if !based, case .exact(let x)? = value, x.bitSize <= 512 {
                groupingKey = "v:\(x.re.description),\(x.im.description)"
            }
        }
        return ParsedAnswer(text: text, rule: rule, groupingKey: groupingKey, key: key, oversize: oversize,
                            expression: expression, failure: failure, value: value, needsLadder: needsLadder)
    }

    /// Extracts the final answer of a solution text and parses it; nil when there is none.
    /// `cutAtTokenLimit`: the text is a model output that stopped at its token limit (see
    /// `extractAnswer(from:cutAtTokenLimit:)`).
    public func parse(solution: String, cutAtTokenLimit: Bool = false) -> ParsedAnswer? {
        guard let extracted = extractAnswer(from: solution, cutAtTokenLimit: cutAtTokenLimit) else { return nil }
        return parse(extracted.text, rule: extracted.rule, isClean: true)
    }

    /// Whether two parsed answers are equivalent.
    public func equivalent(_ a: ParsedAnswer, _ b: ParsedAnswer) -> Bool {
        compare(a, b).isEqual
    }

    /// Compares two parsed answers, reporting the rung that decided.
    public func compare(_ gold: ParsedAnswer, _ pred: ParsedAnswer) -> Verdict {
        let v = compareOnce(gold, pred)
        if !v.isEqual, v.rung != .bound, var w = listReadingVerdict(gold, pred) ?? choiceReadingVerdict(gold, pred) {
            (w.goldAnswer, w.predictedAnswer, w.goldRule, w.predictedRule) = (gold.text, pred.text, gold.rule, pred.rule)
            return w
        }
        return v
    }

    /// `compare` under the one reading of each answer.
    func compareOnce(_ gold: ParsedAnswer, _ pred: ParsedAnswer) -> Verdict {
        func verdict(_ equal: Bool, _ rung: LadderRung, _ reason: String? = nil) -> Verdict {
            Verdict(isEqual: equal, goldAnswer: gold.text, predictedAnswer: pred.text, rung: rung, reason: reason,
                    goldRule: gold.rule, predictedRule: pred.rule)
        }
        if !gold.key.isEmpty && gold.key == pred.key { return verdict(true, .normalizedString) }
        if gold.groupingKey == pred.groupingKey { return verdict(true, .exact) }
        guard let a = gold.expression, let b = pred.expression else {
            if let f = gold.failure ?? pred.failure, f.isBound { return verdict(false, .bound, f.message) }
            let equal = !gold.textKey.isEmpty && gold.textKey == pred.textKey
            return verdict(equal, .parse, (gold.failure ?? pred.failure)?.message)
        }
        // Constant answers: their values were computed once by `parse`.
        if let va = gold.value, let vb = pred.value, va.isFinite, vb.isFinite {
            let rung: LadderRung = { if case .exact = va, case .exact = vb { return .exact }; return .numeric }()
            if !gold.needsLadder && !pred.needsLadder { return verdict(ValueComparison.equal(va, vb), rung) }
        }
        // Words outside the names of assignments (`\angle ABC = 30`) make a text answer.
        let textA = Self.hasText(a), textB = Self.hasText(b)
        if textA || textB {
            if gold.textKey == pred.textKey { return verdict(true, .text) }
            if !(textA && textB) { return verdict(false, .text) }
        }
        var checker = EquivalenceChecker(budget: budget)
        do {
            let equal = try checker.equivalent(a, b)
            if !equal && checker.structureMismatch { return verdict(false, .structure) }
            return verdict(equal, checker.usedApproximation ? .numeric : .exact)
        } catch let f as GradingFailure {
            return verdict(false, .bound, f.message)
        } catch {
            return verdict(false, .bound, "\(error)")
        }
    }

    /// Whether `e` holds words other than the names of its assignments.
    static func hasText(_ e: Expr) -> Bool {
        let isText: (Expr) -> Bool = { if case .text = $0 { return true }; return false }
        guard e.contains(isText) else { return false }
        if let (_, v) = Canonical.assignment(e) { return v.contains(isText) }
        if case .list(let xs) = e { return xs.contains(where: hasText) }
        return true
    }

    /// Extracts and grades (see the free function `grade(gold:predicted:)`).
    public func grade(gold: String, predicted: String) -> Verdict {
        grade(gold: gold, predicted: predicted, predictedCutAtTokenLimit: false)
    }

    /// Extracts and grades; `predictedCutAtTokenLimit`: the prediction is a model output that stopped at its
    /// token limit (finish reason "length"), so only an answer stated before the cut counts.
    public func grade(gold: String, predicted: String, predictedCutAtTokenLimit: Bool) -> Verdict {
        let g = extractAnswer(from: gold), p = extractAnswer(from: predicted, cutAtTokenLimit: predictedCutAtTokenLimit)
        guard let g, let p else {
            return Verdict(isEqual: false, goldAnswer: g?.text, predictedAnswer: p?.text, rung: .extraction,
                           reason: g == nil ? "no answer found in gold" : "no answer found in prediction",
                           goldRule: g?.rule, predictedRule: p?.rule)
        }
        // Rung 1 first: equal normalized strings need no parsing at all.
        let gk = key(of: g.text), pk = key(of: p.text)
        if !gk.isEmpty && gk == pk {
            return Verdict(isEqual: true, goldAnswer: g.text, predictedAnswer: p.text, rung: .normalizedString,
                           goldRule: g.rule, predictedRule: p.rule)
        }
        let pg = parse(g.text, rule: g.rule, isClean: true, key: gk), pp = parse(p.text, rule: p.rule, isClean: true, key: pk)
        var v = compare(pg, pp)
        if !v.isEqual, v.rung != .bound, wordAnswerStated(goldText: gold, predictedText: predicted, gold: pg, predicted: pp) {
            v.isEqual = true
            v.rung = .text
            v.reason = "the sentence states the word answer"
        }
        return v
    }

    private func key(of text: String) -> String {
        text.utf8.count > limits.maxAnswerLength * 4 ? "raw:" + text : Normalizer.stringKey(text)
    }

    private var budget: WorkBudget {
        WorkBudget(steps: limits.maxSteps, maxBits: limits.maxBits, maxFactorial: limits.maxFactorial)
    }
}
