import Foundation

/// A decoding (or file) error as `field 'a.b': what is wrong`, never a raw `DecodingError` dump.
public func describeDecodingError(_ error: Error) -> String {
    guard let error = error as? DecodingError else {
        // Foundation's file errors: a short reason instead of an NSCocoaErrorDomain dump.
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            default: return "cannot be read (\(ns.localizedDescription))"
            }
        }
        return "\(error)"
    }
    func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
    switch error {
    case let .keyNotFound(key, ctx): return "field '\(path(ctx.codingPath + [key]))': missing"
    case let .typeMismatch(type, ctx): return "field '\(path(ctx.codingPath))': expected \(type)"
    case let .valueNotFound(type, ctx): return "field '\(path(ctx.codingPath))': expected \(type), found null"
    case let .dataCorrupted(ctx):
        return ctx.codingPath.isEmpty ? "not valid JSON" : "field '\(path(ctx.codingPath))': \(ctx.debugDescription)"
    @unknown default: return "\(error)"
    }
}

