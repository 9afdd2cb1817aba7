/// Tokens of LaTeX or plain-text answers.
enum Token: Equatable, Sendable {
    /// Digits with at most one `.`; a repeating tail from `\overline{..}` is kept after `r` (`0.1r6`).
    case number(String)
    /// A single-letter variable (`x`), a Greek letter (`\alpha`) or a letter from text mode.
    case letter(String)
    /// A word (text mode, or a plain run of letters that is not a known name).
    case word(String)
    /// A LaTeX command or a known plain name, without backslash (`frac`, `sin`, `pi`, `le`, ...).
    case command(String)
    /// A one-character operator or delimiter: `+ - * / ^ _ ( ) [ ] { } , ; = < > ! | & : %`,
    /// `L`/`R` for `\{`/`\}`, `\n` for a row separator `\\`, `≤ ≥ ≠` for relations.
    case op(Character)
}

/// Errors and limits hit while reading an answer.
struct GradingFailure: Error, Sendable, Equatable {
    var message: String
    /// True when a safety bound (size, depth, steps, exponent) was hit rather than a syntax error.
    var isBound: Bool

    static func syntax(_ m: String) -> GradingFailure { GradingFailure(message: m, isBound: false) }
    static func bound(_ m: String) -> GradingFailure { GradingFailure(message: m, isBound: true) }
    /// A nonzero value too small for doubles: comparing it as 0 would be wrong (`e^{-1000} != 0`).
    static let underflow = GradingFailure(message: "a value underflows the double range (not compared as 0)", isBound: true)
    var isUnderflow: Bool { self == .underflow }
}

/// Turns an answer string into tokens; LaTeX spacing and sizing commands are dropped here.
struct Lexer {
    private let chars: [Unicode.Scalar]
    private var pos = 0
    private(set) var tokens: [Token] = []
    private let maxTokens: Int
    /// Nesting of `\text{...}` groups lexed by sub-lexers.
    private let nesting: Int

    init(_ text: String, maxTokens: Int = 2000, nesting: Int = 0) {
        chars = Array(text.unicodeScalars)
        self.maxTokens = maxTokens
        self.nesting = nesting
    }

    /// Tokenizes the whole input.
    static func tokenize(_ text: String, maxTokens: Int = 2000) throws -> [Token] {
        var lexer = Lexer(text, maxTokens: maxTokens)
        try lexer.run(textMode: false, end: nil)
        return lexer.tokens
    }

    private static let ignoredCommands: Set<String> = [
        "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
        "Biggl", "Biggr", "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "quad", "qquad",
        "middle", "mathstrut", "angle", "measuredangle", "triangle", "strut", "hfill", "smallskip", "medskip", "bigskip", "phantom", "newline",
        "prime", "enspace", "thinspace", "negthinspace", "allowbreak", "nobreak", "cr",
    ]
    private static let textCommands: Set<String> = [
        "text", "textbf", "textit", "textrm", "textsf", "texttt", "mbox", "mathrm", "textnormal", "emph", "hbox",
        "textup", "textsl",
    ]
    private static let unwrapCommands: Set<String> = [
        "boxed", "fbox", "mathbf", "mathit", "boldsymbol", "bm", "mathsf", "mathtt", "vec", "hat", "bar",
        "tilde", "widehat", "overrightarrow", "mathcal", "mathscr", "underline", "mathnormal", "pmb",
    ]
    private static let aliases: [String: Token] = [
        "cdot": .op("*"), "times": .op("*"), "ast": .op("*"), "div": .op("/"), "colon": .op(":"),
        "le": .op("≤"), "leq": .op("≤"), "leqslant": .op("≤"), "ge": .op("≥"), "geq": .op("≥"),
        "geqslant": .op("≥"), "ne": .op("≠"), "neq": .op("≠"), "lt": .op("<"), "gt": .op(">"),
        "approx": .op("="), "equiv": .op("="), "doteq": .op("="), "langle": .op("("), "rangle": .op(")"),
        "lbrack": .op("["), "rbrack": .op("]"), "lbrace": .op("L"), "rbrace": .op("R"), "vert": .op("|"),
        "lvert": .op("|"), "rvert": .op("|"), "Vert": .op("|"), "lVert": .op("|"), "rVert": .op("|"),
        "mid": .op("|"), "dfrac": .command("frac"), "tfrac": .command("frac"), "cfrac": .command("frac"),
        "dbinom": .command("binom"), "tbinom": .command("binom"), "degree": .command("circ"),
        "R": .command("reals"), "varnothing": .command("emptyset"), "ldots": .command("dots"),
        "cdots": .command("dots"), "dotsc": .command("dots"), "dotsb": .command("dots"),
        "arcsec": .command("arcsec"), "setminus": .command("setminus"), "backslash": .command("setminus"),
        "varpi": .command("pi"), "wedge": .word("and"), "land": .word("and"), "vee": .word("or"),
        "lor": .word("or"), "implies": .op(";"), "Rightarrow": .op(";"), "quad": .op(" "),
    ]
    /// Plain-text names read as commands.
    private static let plainNames: [String: Token] = [
        "sin": .command("sin"), "cos": .command("cos"), "tan": .command("tan"), "cot": .command("cot"),
        "sec": .command("sec"), "csc": .command("csc"), "arcsin": .command("arcsin"),
        "arccos": .command("arccos"), "arctan": .command("arctan"), "sinh": .command("sinh"),
        "cosh": .command("cosh"), "tanh": .command("tanh"), "log": .command("log"), "ln": .command("ln"),
        "exp": .command("exp"), "sqrt": .command("sqrt"), "pi": .command("pi"), "inf": .command("infty"),
        "infty": .command("infty"), "infinity": .command("infty"), "oo": .command("infty"),
        "and": .word("and"), "or": .word("or"), "abs": .command("abs"), "floor": .command("lfloorfn"),
        "ceil": .command("lceilfn"), "gcd": .command("gcd"), "lcm": .command("lcm"), "max": .command("max"),
        "min": .command("min"), "cbrt": .command("cbrt"),
    ]
    /// Two-letter runs that are units, not products (`5 cm`).
    private static let unitWords: Set<String> = [
        "cm", "mm", "km", "ft", "kg", "mg", "ml", "mL", "hr", "yd", "oz", "lb", "mi", "sq", "am", "pm",
        "AM", "PM", "st", "nd", "rd", "th", "ms", "mph", "cc", "in",
    ]

    private mutating func emit(_ t: Token) throws {
        if tokens.count >= maxTokens { throw GradingFailure.bound("answer has more than \(maxTokens) tokens") }
        tokens.append(t)
    }

    private func peek(_ k: Int = 0) -> Unicode.Scalar? { pos + k < chars.count ? chars[pos + k] : nil }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    /// Reads the group `{...}` starting at `pos` (which must be `{`), returning its content.
    private mutating func readBraceGroup() -> String? {
        guard peek() == "{" else { return nil }
        var depth = 0, out = String.UnicodeScalarView()
        while let c = peek() {
            pos += 1
            if c == "\\", let n = peek() {
                out.append(c); out.append(n); pos += 1
                continue
            }
            if c == "{" { depth += 1; if depth == 1 { continue } }
            if c == "}" { depth -= 1; if depth == 0 { return String(out) } }
            out.append(c)
        }
        return String(out)
    }

    private mutating func skipSpaces() {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" { pos += 1 }
    }

    private mutating func readCommandName() -> String {
        // At a backslash.
        pos += 1
        guard let c = peek() else { return "" }
        if !Lexer.isLetter(c) { pos += 1; return String(Character(c)) }
        var name = ""
        while let c = peek(), Lexer.isLetter(c) { name.unicodeScalars.append(c); pos += 1 }
        return name
    }

    /// Lexes until `end` (a closing brace in text groups) or the end of input.
    private mutating func run(textMode: Bool, end: Unicode.Scalar?) throws {
        while let c = peek() {
            if let end, c == end { return }
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "~" { pos += 1; continue }
            if Lexer.isDigit(c) || (c == "." && peek(1).map(Lexer.isDigit) == true) {
                try lexNumber()
            } else if Lexer.isLetter(c) {
                try lexLetters(textMode: textMode)
            } else if c == "\\" {
                try lexCommand(textMode: textMode)
            } else {
                pos += 1
                try lexSymbol(c)
            }
        }
    }

    private mutating func lexNumber() throws {
        var s = ""
        var seenDot = false
        while let c = peek() {
            if Lexer.isDigit(c) {
                s.unicodeScalars.append(c)
            } else if c == ".", !seenDot, peek(1).map(Lexer.isDigit) == true {
                seenDot = true
                s.append(".")
            } else {
                break
            }
            pos += 1
        }
        // `0.\overline{3}` / `0.1\overline{6}`: a repeating tail.
        let save = pos
        var prefix = s
        if !seenDot, peek() == "." { pos += 1; prefix.append(".") }
        if prefix.utf8.contains(UInt8(ascii: ".")), peek() == "\\" {
            let name = readCommandName()
            if name == "overline", let digits = readBraceGroupAfterSpaces(),
               !digits.isEmpty, digits.unicodeScalars.allSatisfy(Lexer.isDigit) {
                try emit(.number(prefix + "r" + digits))
                return
            }
        }
        pos = save
        try emit(.number(s))
    }

    private mutating func lexLetters(textMode: Bool) throws {
        var run = ""
        while let c = peek(), Lexer.isLetter(c) { run.unicodeScalars.append(c); pos += 1 }
        if textMode {
            if run.count == 1 { try emit(.letter(run)) }
            else if let t = Lexer.plainNames[run], case .word = t { try emit(t) }
            else { try emit(.word(run)) }
            return
        }
        if let t = Lexer.plainNames[run] { try emit(t); return }
        if Lexer.unitWords.contains(run) { try emit(.word(run)); return }
        // Scientific notation `1.5e3` is handled by the parser from a letter `e` after a number.
        if run.count >= 3 {
            // A known function name may be glued to a variable (`sinx`).
            for name in ["arcsin", "arccos", "arctan", "sin", "cos", "tan", "log", "ln", "sqrt"] where run.hasPrefix(name) && run.count <= name.count + 1 {
                try emit(.command(name))
                for ch in run.dropFirst(name.count).unicodeScalars { try emit(.letter(String(ch))) }
                return
            }
            try emit(.word(run))
            return
        }
        for ch in run.unicodeScalars { try emit(.letter(String(ch))) }
    }

    private mutating func lexCommand(textMode: Bool) throws {
        let name = readCommandName()
        switch name {
        case "", ",", ";", ":", "!", " ", ">", "$", "\n", "/", "-":
            return
        case "\\":
            try emit(.op("\n"))
        case "{":
            try emit(.op("L"))
        case "}":
            try emit(.op("R"))
        case "%":
            try emit(.op("%"))
        case "&":
            try emit(.op("&"))
        case "|":
            try emit(.op("|"))
        case "#", "_":
            return
        default:
            if Lexer.ignoredCommands.contains(name) {
                // `\left.` and `\right.` carry an invisible delimiter.
                if (name == "left" || name == "right" || name.hasPrefix("big") || name.hasPrefix("Big")),
                   peek() == "." { pos += 1 }
                if name == "phantom" { _ = readBraceGroupAfterSpaces() }
                return
            }
            if Lexer.textCommands.contains(name) {
                guard let inner = readBraceGroupAfterSpaces() else { return }
                if nesting >= 8 { throw GradingFailure.bound("text groups nested too deeply") }
                var sub = Lexer(inner, maxTokens: maxTokens - tokens.count, nesting: nesting + 1)
                try sub.run(textMode: true, end: nil)
                // `5\text{ m}`: a lone letter after a space in text is a unit word, not a variable.
                if sub.tokens.count == 1, case .letter(let l) = sub.tokens[0], inner.hasPrefix(" "),
                   case .number? = tokens.last {
                    try emit(.word(l))
                    return
                }
                for t in sub.tokens { try emit(t) }
                return
            }
            if Lexer.unwrapCommands.contains(name) { return }
            if name == "operatorname" || name == "mathop" {
                guard let inner = readBraceGroupAfterSpaces() else { return }
                let trimmed = inner.filter { $0 != " " && $0 != "*" }
                try emit(Lexer.plainNames[trimmed] ?? .command(trimmed))
                return
            }
            if name == "mathbb" || name == "mathbbm" || name == "Bbb" {
                let inner = readBraceGroupAfterSpaces() ?? ""
                try emit(inner == "R" ? .command("reals") : .word("set" + inner))
                return
            }
            if name == "begin" || name == "end" {
                let env = readBraceGroupAfterSpaces() ?? ""
                try emit(.command(name + ":" + String(env.filter { $0 != "*" })))
                if name == "begin" && env.hasPrefix("array") { _ = readBraceGroupAfterSpaces() }
                return
            }
            if let t = Lexer.aliases[name] {
                if case .op(" ") = t { return }
                try emit(t)
                return
            }
            if Lexer.greek.contains(name) { try emit(.letter("\\" + name)); return }
            try emit(.command(name))
        }
    }

    private mutating func readBraceGroupAfterSpaces() -> String? {
        skipSpaces()
        return readBraceGroup()
    }

    private static let greek: Set<String> = [
        "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
        "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "sigma", "varsigma", "tau", "upsilon",
        "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma",
        "Upsilon", "Phi", "Psi", "Omega", "ell",
    ]

    private mutating func lexSymbol(_ c: Unicode.Scalar) throws {
        switch c {
        case "+", "-", "*", "/", "^", "_", "(", ")", "[", "]", "{", "}", ",", ";", "=", "!", "|", "&", ":", "%":
            // Plain `<=`, `>=`, `!=`, `**`.
            if c == "!", peek() == "=" { pos += 1; try emit(.op("≠")); return }
            if c == "*", peek() == "*" { pos += 1; try emit(.op("^")); return }
            try emit(.op(Character(c)))
        case "<", ">":
            if peek() == "=" { pos += 1; try emit(.op(c == "<" ? "≤" : "≥")); return }
            try emit(.op(Character(c)))
        case "'", "\"", "$", "?", "`", "#", "@":
            return
        case ".":
            // A lone period (end of sentence) carries nothing.
            return
        case "−", "–", "—", "‐": try emit(.op("-"))
        case "×", "·", "⋅", "∗": try emit(.op("*"))
        case "÷": try emit(.op("/"))
        case "≤", "⩽": try emit(.op("≤"))
        case "≥", "⩾": try emit(.op("≥"))
        case "≠": try emit(.op("≠"))
        case "π": try emit(.command("pi"))
        case "∞": try emit(.command("infty"))
        case "√": try emit(.command("sqrt"))
        case "∪": try emit(.command("cup"))
        case "∩": try emit(.command("cap"))
        case "∈": try emit(.command("in"))
        case "±": try emit(.command("pm"))
        case "∓": try emit(.command("mp"))
        case "°": try emit(.command("circ"))
        case "∅": try emit(.command("emptyset"))
        case "ℝ": try emit(.command("reals"))
        case "⟨": try emit(.op("("))
        case "⟩": try emit(.op(")"))
        case "α", "β", "γ", "δ", "θ", "λ", "μ", "φ", "ω", "σ", "τ", "ρ":
            try emit(.letter(String(Character(c))))
        case "\u{00A0}", "\u{2009}", "\u{200A}", "\u{2002}", "\u{2003}", "\u{202F}":
            return
        case "²", "³":
            try emit(.op("^"))
            try emit(.number(c == "²" ? "2" : "3"))
        case "½", "⅓", "⅔", "¼", "¾", "⅕", "⅙", "⅛":
            // Vulgar fractions read as `\frac{a}{b}` (so `3½` is a mixed number).
            let parts: [Unicode.Scalar: (String, String)] = [
                "½": ("1", "2"), "⅓": ("1", "3"), "⅔": ("2", "3"), "¼": ("1", "4"), "¾": ("3", "4"),
                "⅕": ("1", "5"), "⅙": ("1", "6"), "⅛": ("1", "8"),
            ]
            let (a, b) = parts[c]!
            try emit(.command("frac"))
            try emit(.number(a))
            try emit(.number(b))
        default:
            throw GradingFailure.syntax("unexpected character '\(Character(c))'")
        }
    }
}
