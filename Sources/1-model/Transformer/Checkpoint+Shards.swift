// Hugging Face checkpoint folders as `transformers` writes them: `model.safetensors`, or shards
// listed by `model.safetensors.index.json` (`weight_map`: tensor name -> shard file). F32, F16 and
// BF16 tensors are converted to Float on load. Every error names the file and the tensor.

import Foundation
import SafeTensors

extension TransformerModel {
    /// The index of a sharded checkpoint.
    public static let shardIndexFileName = "model.safetensors.index.json"

    /// The safetensors files of a checkpoint folder, opened: `model.safetensors` alone, or every
    /// shard the index names, and the shard of each tensor (empty for a single file).
    /// - Throws: ``TransformerError/checkpoint(_:)`` naming the folder when neither file exists,
    ///   the index when it is malformed, and the missing shard with the index that names it.
    public static func openWeights(in directory: URL) throws -> (files: [SafeTensorsFile], shardOf: [String: Int]) {
        let single = directory.appendingPathComponent(weightsFileName)
        if FileManager.default.fileExists(atPath: single.path) { return ([try SafeTensorsFile(contentsOf: single)], [:]) }
        let indexURL = directory.appendingPathComponent(shardIndexFileName)
        guard let data = FileManager.default.contents(atPath: indexURL.path) else {
            throw TransformerError.checkpoint("\(directory.path): neither \(weightsFileName) nor \(shardIndexFileName) exists")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let map = root["weight_map"] as? [String: Any] else {
            throw TransformerError.checkpoint("\(indexURL.path): weight_map: missing or not an object of tensor name -> shard file")
        }
        var shardNames: [String] = []
        var shardOf: [String: Int] = [:]
        for (tensor, value) in map.sorted(by: { $0.key < $1.key }) {
            guard let shard = value as? String, !shard.isEmpty, !shard.contains("/"), shard != ".." else {
                throw TransformerError.checkpoint("\(indexURL.path): weight_map.\(tensor): not a file name in this folder")
            }
            if let i = shardNames.firstIndex(of: shard) { shardOf[tensor] = i } else {
                shardOf[tensor] = shardNames.count
                shardNames.append(shard)
            }
        }
        let files = try shardNames.map { name -> SafeTensorsFile in
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw TransformerError.checkpoint("\(indexURL.path) names shard \(name), which is missing from \(directory.path)")
            }
            return try SafeTensorsFile(contentsOf: url)
        }
        return (files, shardOf)
    }

    /// Copies this layout's tensors from one or more files (the shards of a checkpoint). The
    /// scalar head is optional; a tied model ignores an `lm_head.weight` (some checkpoints keep the
    /// copy); any other tensor of the files that this architecture lacks is an error.
    public func loadWeights(from files: [SafeTensorsFile], shardOf: [String: Int] = [:]) throws {
        weightsDidChange()
        if files.count == 1 && shardOf.isEmpty {
            return try loadWeights(from: files[0], prefix: "", ignoringUnknown: false, ignoring: config.tieEmbeddings ? ["lm_head.weight"] : [])
        }
        for tensor in layout.tensors {
            let file: SafeTensorsFile? = shardOf[tensor.name].map { files[$0] } ?? files.first(where: { $0.contains(tensor.name) })
            guard let file, file.contains(tensor.name) else {
                if layout.scoreHeadNames.contains(tensor.name) { continue }
                let place = shardOf[tensor.name].map { files[$0].path } ?? "the checkpoint's index"
                throw TransformerError.checkpoint("\(place): missing tensor \(tensor.name) \(tensor.shape)")
            }
            try file.copyFloats(tensor.name, into: UnsafeMutableBufferPointer(rebasing: parameters[tensor.range]),
                                expectedShape: tensor.shape)
        }
        let known = Set(layout.tensors.map(\.name)).union(config.tieEmbeddings ? ["lm_head.weight"] : [])
        for file in files {
            let unexpected = file.names.filter { !known.contains($0) && !$0.hasSuffix("rotary_emb.inv_freq") }
            if !unexpected.isEmpty {
                throw TransformerError.checkpoint(
                    "\(file.path): \(unexpected.count) tensor(s) this architecture does not have: \(unexpected.prefix(5).joined(separator: ", "))")
            }
        }
    }
}
