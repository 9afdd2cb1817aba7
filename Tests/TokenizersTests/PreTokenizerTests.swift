import Testing
import Tokenizers

/// The hand-written scanners on the cases each regex alternative exists for.
@Suite struct PreTokenizerTests {
    func pieces(_ steps: [PreTokenizerStep], _ text: String) -> [String] {
        PreTokenizerStep.pieces(of: text, steps: steps)
    }

    @Test func gpt2() {
        let steps: [PreTokenizerStep] = [.byteLevel(useRegex: true)]
        #expect(pieces(steps, "I'm  here, 12345 x\n\n  y  ") == ["I", "'m", " ", " here", ",", " 12345", " x", "\n\n ", " y", "  "])
        #expect(pieces(steps, "DON'T") == ["DON", "'", "T"])
    }

    @Test func llama3() {
        let steps: [PreTokenizerStep] = [.split(.llama3), .byteLevel(useRegex: false)]
        #expect(pieces(steps, "DON'T 1234567 (x)\n\n\tz") == ["DON", "'T", " ", "123", "456", "7", " (", "x", ")\n\n", "\tz"])
        #expect(pieces(steps, "a \n b") == ["a", " \n", " b"])
    }

    @Test func qwen2AndSmolLM() {
        #expect(pieces([.split(.qwen2)], "x=123") == ["x", "=", "1", "2", "3"])
        #expect(pieces([.digits(individual: true), .byteLevel(useRegex: true)], "ab 42٣") == ["ab", " ", "4", "2", "٣"])
        #expect(pieces([.digits(individual: false)], "ab 42x") == ["ab ", "42", "x"])
    }

    @Test func knownRegexesAreRecognized() {
        for pattern in PreTokenizerPattern.allCases { #expect(PreTokenizerPattern(regex: pattern.regex) == pattern) }
        #expect(PreTokenizerPattern(regex: "\\w+") == nil)
    }
}
