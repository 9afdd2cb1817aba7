import Benchmarks
import ArgumentParser
import Transformer

/// `e2h demo`: train a small decoder from scratch and print the loss falling.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a small decoder from scratch on arithmetic sequences; the loss should fall.",
        discussion: """
            Each training sequence is s, s+d, s+2d, ... (mod the vocabulary). Only the first two \
            tokens are unpredictable, so a model that learns the rule in context drives the loss from \
            ln(V) toward (2/T)·ln(V).
            """)

    @Option(help: "Training steps.") var steps = 60
    @Option(help: "Sequences per batch.") var batch = 16
    @Option(help: "Sequence length (context).") var context = 64
    @Option(help: "Decoder blocks.") var layers = 2
    @Option(help: "Residual width.") var width = 128
    @Option(help: "Attention heads.") var heads = 4
    @Option(help: "Vocabulary size.") var vocab = 31
    @Option(help: "Peak learning rate.") var learningRate: Float = 3e-3
    @Option(help: "Random seed.") var seed: UInt64 = 1

    func validate() throws {
        try requireRange("--steps", steps, 1...)
        try requireRange("--batch", batch, 1...)
        try requireRange("--context", context, 2...)
        try requireRange("--layers", layers, 1...)
        try requireRange("--width", width, 1...)
        try requireRange("--heads", heads, 1...)
        try requireRange("--vocab", vocab, 2...)
        if width % heads != 0 { throw ValidationError("--heads \(heads) must divide --width \(width)") }
        if !(learningRate.isFinite && learningRate > 0) {
            throw ValidationError("--learning-rate is \(learningRate); it must be finite and > 0")
        }
    }

    mutating func run() throws {
        let config = TransformerConfig(vocabSize: vocab, hiddenSize: width, intermediateSize: width * 3,
                                       layerCount: layers, headCount: heads, maxPositions: context)
        print("training \(layers)x\(width) decoder, \(heads) heads, context \(context), batch \(batch), \(steps) steps")
        let (first, last) = try runEngineDemo(config: config, batch: batch, steps: steps,
                                              learningRate: learningRate, seed: seed) { p in
            print("step \(p.step)/\(steps)  loss \(fixed(p.loss, 4))  lr \(fixed(p.learningRate, 5))  \(Int(p.tokensPerSecond)) tok/s")
        }
        print("loss \(fixed(first, 4)) -> \(fixed(last, 4))")
    }
}

func fixed(_ value: Float, _ digits: Int) -> String { fixed(Double(value), digits) }
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (abs(value) * scale).rounded() / scale
    var text = "\(Int(rounded))"
    if digits > 0 {
        let fraction = Int(((rounded - rounded.rounded(.down)) * scale).rounded())
        let digitsText = String(fraction)
        text += "." + String(repeating: "0", count: max(0, digits - digitsText.count)) + digitsText
    }
    return value < 0 ? "-" + text : text
}
