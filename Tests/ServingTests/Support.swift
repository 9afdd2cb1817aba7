import AsyncHTTPClient
import Datasets
import Foundation
import InferenceClient
import Logging
import NIOCore
import Serving
import Tokenizers
import Training
import Transformer

/// The folder of this test process's scratch folders, removed when the process exits (the tests'
/// model bundles and runs would otherwise stay behind in the system's temporary folder).
let scratchRoot: URL = {
    atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("e2h-serving-tests-\(getpid())")) }
    return FileManager.default.temporaryDirectory.appendingPathComponent("e2h-serving-tests-\(getpid())")
}()

func temporaryDirectory(_ name: String) -> URL {
    let url = scratchRoot.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A random (untrained) benchmark-vocabulary model in a bundle folder: texts are noise, but every
/// protocol path and the equality of remote and local decoding can be checked on it.
func tinyBundle(seed: UInt64 = 5, context: Int = 128, width: Int = 32, layers: Int = 2) throws -> URL {
    let directory = temporaryDirectory("model")
    let kind = TokenizerKind.numbers
    let model = try TransformerModel(config: TransformerConfig(
        vocabSize: kind.modelVocabularySize, hiddenSize: width, intermediateSize: 2 * width, layerCount: layers, headCount: 2,
        maxPositions: context))
    model.initializeWeights(seed: seed)
    try model.save(to: directory)
    try BundleManifest.benchmark(kind).write(to: directory)
    return directory
}

/// Six problems of the built-in benchmark's kind.
func writeProblems(to directory: URL) throws -> String {
    let path = directory.appendingPathComponent("problems.jsonl").path
    let problems = (0..<6).map { i in
        Problem(id: "p\(i)", problem: "\(12 + i) + \(7 * i)", level: 1 + i % 5, subject: "arithmetic", answer: "\(12 + 8 * i)")
    }
    try RecordWriter.write(problems, to: path)
    return path
}

let quietLogger: Logger = {
    var logger = Logger(label: "e2h.serve.tests")
    logger.logLevel = .critical
    return logger
}()

/// Runs `body` against a server on a free loopback port, then shuts the server down (drained).
func withServer(model: URL, config: ServeConfig = ServeConfig(),
                _ body: (_ base: String, _ server: OpenAIServer) async throws -> Void) async throws {
    var config = config
    config.port = 0
    config.modelName = "tiny"
    let server = OpenAIServer(bundle: try ModelBundle.load(from: model), config: config, logger: quietLogger)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let running = Task { try await server.run(signals: false) { port in continuation.yield(port) } }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    do {
        try await body("http://127.0.0.1:\(port)", server)
    } catch {
        await server.shutdown()
        _ = try? await running.value
        throw error
    }
    await server.shutdown()
    try await running.value
}

/// A client that does not retry (so a 429 is seen as such).
func client(_ base: String, apiKey: String? = nil, attempts: Int = 1) -> OpenAIClient {
    var config = ClientConfig(endpoint: base, apiKey: apiKey)
    config.retry.attempts = attempts
    config.retry.baseDelay = 0.01
    config.timeout = 60
    return OpenAIClient(config: config)
}

/// Status and body of a raw request.
func raw(_ method: String, _ url: String, body: String? = nil, headers: [(String, String)] = []) async throws -> (status: Int, body: String) {
    var request = HTTPClientRequest(url: url)
    request.method = .init(rawValue: method)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    let bytes = try await response.body.collect(upTo: 64 << 20)
    return (Int(response.status.code), String(buffer: bytes))
}
