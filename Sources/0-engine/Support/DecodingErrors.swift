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


/// Where a JSON document stops being valid, e.g. `line 4, column 15: invalid value`; nil when it
/// parses. Foundation's decoders say only "not valid JSON"; its parser knows the byte offset,
/// which this turns into a line and a column (1-based) so a hand-edited file can be fixed.
public func jsonSyntaxError(in data: Data) -> String? {
    do {
        _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return nil
    } catch {
        let text = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "not valid JSON"
        guard let r = text.range(of: #"character \d+"#, options: .regularExpression),
              let offset = Int(text[r].dropFirst("character ".count)) else { return text }
        var reason = text.replacingOccurrences(of: #",? *around character \d+\.?"#, with: "", options: .regularExpression)
        if let first = reason.first { reason = first.lowercased() + reason.dropFirst() }
        var line = 1, column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return "line \(line), column \(column): \(reason)"
    }
}

/// A decoding error of a whole JSON document: the syntax error's line and column when the bytes
/// are not JSON, else ``describeDecodingError(_:)``.
public func describeDecodingError(_ error: Error, in data: Data) -> String {
    if case DecodingError.dataCorrupted(let context)? = error as? DecodingError, context.codingPath.isEmpty,
       let syntax = jsonSyntaxError(in: data) {
        return "not valid JSON: \(syntax)"
    }
    return describeDecodingError(error)
}
