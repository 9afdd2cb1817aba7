// Errors of `e2h serve` as HTTP statuses with OpenAI's error body.

import Foundation
import Hummingbird
import InferenceProtocol
import NIOCore

/// A request the server refuses: the status, the message and the parameter it is about.
public struct ServeError: Error, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    public var param: String?
    public var headers: HTTPFields = [:]

    public var description: String { "\(status.code) \(message)" }

    public static func badRequest(_ message: String, param: String? = nil) -> ServeError {
        ServeError(status: .badRequest, message: message, param: param)
    }

    /// The OpenAI error type of a status.
    var type: String {
        switch status.code {
        case 401: "authentication_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 500...: "server_error"
        default: "invalid_request_error"
        }
    }

    /// The JSON response.
    public var response: Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let body = ErrorBody(message: message, type: type, param: param, code: Int(status.code))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWire.encode(body))))
    }
}

/// The one JSON encoder and decoder of the server.
enum JSONWire {
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        // Encoding our own wire types cannot fail.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    /// Decodes a request body; a 400 that names the field and what is wrong.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw ServeError.badRequest("invalid request body: \(describe(error))", param: path(error))
        } catch {
            throw ServeError.badRequest("invalid request body: \(error)")
        }
    }

    static func path(_ error: DecodingError) -> String? {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let c): path = c.codingPath + [key]
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        @unknown default: return nil
        }
        return path.isEmpty ? nil : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    static func describe(_ error: DecodingError) -> String {
        let field = path(error).map { "field '\($0)': " } ?? ""
        switch error {
        case .keyNotFound: return field + "missing"
        case .typeMismatch(let type, let c): return field + "expected \(type)" + (c.debugDescription.isEmpty ? "" : " (\(c.debugDescription))")
        case .valueNotFound(let type, _): return field + "expected \(type), found null"
        case .dataCorrupted(let c):
            let underlying = (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return field + (underlying.map { "\(c.debugDescription) \($0)" } ?? c.debugDescription)
        @unknown default: return "\(error)"
        }
    }
}
