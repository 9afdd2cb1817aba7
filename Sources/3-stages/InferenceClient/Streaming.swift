// Streamed responses (`stream: true`): server-sent events parsed as they arrive, so a caller sees
// each token's chunk when the server sends it. Retries apply until the response starts; once
// chunks have arrived, a failure ends the stream with the error (a retry would repeat them).

import AsyncHTTPClient
import Foundation
import InferenceProtocol
import NIOCore

/// An incremental parser of server-sent events (the WHATWG rules that matter here): lines end with
/// LF, CRLF or CR; `data:` lines (one leading space dropped) are joined with LF; a blank line ends
/// an event; comments (`:`) and other fields are ignored.
public struct ServerSentEvents: Sendable {
    private var line: [UInt8] = []
    private var data: [String] = []
    private var hasData = false
    private var afterCR = false

    public init() {}

    /// The `data` of every event the bytes complete.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [String] where Bytes.Element == UInt8 {
        var events: [String] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            if byte == 0x0A || byte == 0x0D {
                afterCR = byte == 0x0D
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    /// The event of a stream that ended without its blank line, if any.
    public mutating func end() -> [String] {
        var events: [String] = []
        if !line.isEmpty, let event = endLine() { events.append(event) }
        if let event = endLine() { events.append(event) }
        return events
    }

    private mutating func endLine() -> String? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            guard hasData else { return nil }
            defer { data = []; hasData = false }
            return data.joined(separator: "\n")
        }
        guard line[0] != 0x3A else { return nil }  // a comment
        let colon = line.firstIndex(of: 0x3A) ?? line.endIndex
        guard line[..<colon].elementsEqual("data".utf8) else { return nil }
        var value = colon < line.endIndex ? line[(colon + 1)...] : line[line.endIndex...]
        if value.first == 0x20 { value = value.dropFirst() }
        data.append(String(decoding: value, as: UTF8.self))
        hasData = true
        return nil
    }
}

extension OpenAIClient {
    /// `POST /v1/completions` with `stream: true`: each chunk as the server sends it (one token's
    /// text per choice, then a chunk per choice with its finish reason).
    public func completionsStream(_ request: CompletionRequest) -> AsyncThrowingStream<CompletionResponse, any Error> {
        var request = request
        request.stream = true
        return events("/v1/completions", request, as: CompletionResponse.self)
    }

    /// `POST /v1/chat/completions` with `stream: true`: each `chat.completion.chunk` as it comes.
    public func chatStream(_ request: ChatRequest) -> AsyncThrowingStream<ChatResponse, any Error> {
        var request = request
        request.stream = true
        return events("/v1/chat/completions", request, as: ChatResponse.self)
    }

    /// `POST path` read as server-sent events until `data: [DONE]` (or the end of the body), each
    /// event decoded as `T`. An error event (`{"error": ...}`, as llama.cpp and `e2h serve` send
    /// when generation fails mid-stream) ends the stream with a ``ClientError``. Cancelling the
    /// consumer closes the connection (the server frees its slots).
    public func events<Body: Encodable, T: Decodable & Sendable>(_ path: String, _ body: Body, as type: T.Type)
        -> AsyncThrowingStream<T, any Error> {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(body) } catch { return AsyncThrowingStream { $0.finish(throwing: error) } }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await self.withRetries(path) {
                        try await self.executeOnce(path, method: .POST, body: data, accept: "text/event-stream")
                    }
                    var parser = ServerSentEvents()
                    var done = false
                    reading: for try await buffer in response.body {
                        for payload in parser.feed(buffer.readableBytesView) {
                            if payload == "[DONE]" { done = true; break reading }
                            continuation.yield(try Self.event(type, payload, path: path))
                        }
                    }
                    if !done {
                        for payload in parser.end() where payload != "[DONE]" { continuation.yield(try Self.event(type, payload, path: path)) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// One event's JSON as `T`, or the server's error event as a ``ClientError``.
    static func event<T: Decodable>(_ type: T.Type, _ payload: String, path: String) throws -> T {
        let data = Data(payload.utf8)
        if payload.contains("\"error\""), let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
           object["error"] != nil {
            let status = ((object["error"] as? [String: Any])?["code"] as? Int) ?? 200
            throw ClientError(status: status, message: "error event in the stream: " + errorMessage(data), path: path, attempts: 1)
        }
        return try decode(type, from: data, path: path)
    }
}
