// Checkpoints: a directory with `config.json` (Hugging Face field names) and `model.safetensors`
// (Hugging Face tensor names), the layout PyTorch and `transformers` read. Written atomically.

import Foundation
import SafeTensors
import Support

extension TransformerModel {
    /// File names inside a checkpoint directory.
    public static let configFileName = "config.json"
    public static let weightsFileName = "model.safetensors"

    /// Writes `config.json` and `model.safetensors` into `directory` (created if missing). Each
    /// file is replaced atomically, so an interrupted save leaves the previous checkpoint intact.
    /// A model loaded with quantized weights is refused (``requireFloatWeights(for:)``).
    public func save(to directory: URL, metadata: [String: String] = [:]) throws {
        try requireFloatWeights(for: "save")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var writer = SafeTensorsWriter(metadata: metadata.merging(["format": "pt"]) { a, _ in a })
        for tensor in layout.tensors {
            writer.add(tensor.name, shape: tensor.shape,
                       floats: UnsafeBufferPointer(rebasing: parameters[tensor.range]))
        }
        try writer.write(to: directory.appendingPathComponent(Self.weightsFileName))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(config), to: directory.appendingPathComponent(Self.configFileName))
    }

    /// Loads a checkpoint directory written by `save` or by Hugging Face (`config.json` +
    /// `model.safetensors`, or shards listed by `model.safetensors.index.json`). The scalar head is optional (zeros when absent); any other missing
    /// tensor, a shape or dtype mismatch, or an unexpected tensor is a thrown error naming it.
    public static func load(from directory: URL) throws -> TransformerModel {
        let configURL = directory.appendingPathComponent(configFileName)
        let data: Data
        do { data = try Data(contentsOf: configURL) } catch {
            throw TransformerError.checkpoint("cannot read \(configURL.path): \(describeDecodingError(error))")
        }
        let config: TransformerConfig
        do { config = try JSONDecoder().decode(TransformerConfig.self, from: data) } catch let error as TransformerError {
            throw TransformerError.checkpoint("\(configURL.path): \(error)")
        } catch {
            throw TransformerError.checkpoint("\(configURL.path) is not a valid model config: \(describeDecodingError(error))")
        }
        let model = try TransformerModel(config: config)
        let (files, shardOf) = try openWeights(in: directory)
        try model.loadWeights(from: files, shardOf: shardOf)
        return model
    }

    /// Copies every tensor of a safetensors file into the parameter buffer, checking names and shapes.
    public func loadWeights(from url: URL) throws {
        try loadWeights(from: SafeTensorsFile(contentsOf: url))
    }

    /// Copies this layout's tensors from `file`, reading `prefix + name` for each.
    ///
    /// The scalar head is optional (left as is when absent). Unless `ignoringUnknown`, a tensor in
    /// the file that this architecture does not have is an error (a sign of a different model).
    /// `ignoring` names file tensors that are skipped without an error (a tied model's `lm_head.weight`).
    public func loadWeights(from file: SafeTensorsFile, prefix: String = "", ignoringUnknown: Bool = false,
                            ignoring: Set<String> = []) throws {
        weightsDidChange()
        for tensor in layout.tensors {
            let name = prefix + tensor.name
            guard file.contains(name) else {
                if layout.scoreHeadNames.contains(tensor.name) { continue }
                throw TransformerError.checkpoint("\(file.path): missing tensor \(name) \(tensor.shape)")
            }
            try file.copyFloats(name, into: UnsafeMutableBufferPointer(rebasing: parameters[tensor.range]),
                                expectedShape: tensor.shape)
        }
        guard !ignoringUnknown else { return }
        let known = Set(layout.tensors.map { prefix + $0.name }).union(ignoring.map { prefix + $0 })
        let unexpected = file.names.filter { !known.contains($0) && !$0.hasSuffix("rotary_emb.inv_freq") }
        if !unexpected.isEmpty {
            let listed = unexpected.prefix(5).joined(separator: ", ")
            throw TransformerError.checkpoint(
                "\(file.path): \(unexpected.count) tensor(s) this architecture does not have: \(listed)")
        }
    }
}
