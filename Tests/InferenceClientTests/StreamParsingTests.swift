import Foundation
import InferenceClient
import InferenceProtocol
import Testing

/// Server-sent events and `top_logprobs` in both shapes, parsed by the client.
@Suite("Streams and top log-probs")
struct StreamParsingTests {
    @Test func eventsSplitAnywhereAndInEveryLineEnding() {
        let text = ": a comment\r\ndata: {\"a\":1}\r\n\r\ndata:{\"b\":2}\n\ndata: line one\ndata: line two\r\revent: x\nid: 3\ndata: [DONE]\n\n"
        let expected = [#"{"a":1}"#, #"{"b":2}"#, "line one\nline two", "[DONE]"]
        // Whole, and cut at every byte (a CRLF split between two reads included).
        var whole = ServerSentEvents()
        #expect(whole.feed(Array(text.utf8)) == expected)
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            var parser = ServerSentEvents()
            #expect(parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...]) + parser.end() == expected, "cut at \(cut)")
        }
        // A stream that ends without its blank line still gives its last event.
        var open = ServerSentEvents()
        #expect(open.feed(Array("data: x\n\ndata: [DONE]".utf8)) == ["x"])
        #expect(open.end() == ["[DONE]"])
    }

    @Test func vLLMTopLogprobObjectsBecomeOrderedLists() throws {
        let body = #"{"tokens":["4"," +"],"token_logprobs":[-0.1,-2.0],"top_logprobs":[{"4":-0.1,"5":-2.5,"3":-3.0},{" +":-2.0," =":-0.2}],"text_offset":[0,1]}"#
        let lp = try JSONDecoder().decode(ChoiceLogprobs.self, from: Data(body.utf8))
        let top = try #require(lp.topLogprobs)
        #expect(top[0].map(\.token) == ["4", "5", "3"])
        #expect(top[1].map(\.token) == [" =", " +"] && top[1][0].logprob == -0.2)
        // Written back in vLLM's shape: the same objects.
        let again = try JSONDecoder().decode(ChoiceLogprobs.self, from: JSONEncoder().encode(lp))
        #expect(again.topLogprobs == lp.topLogprobs)
    }

    @Test func contentTopLogprobsKeepIdsAndRoundTrip() throws {
        let body = #"{"content":[{"id":19,"token":"4","bytes":[52],"logprob":-0.25,"top_logprobs":[{"id":19,"token":"4","bytes":[52],"logprob":-0.25},{"id":20,"token":"5","bytes":[53],"logprob":-1.75}]}]}"#
        let lp = try JSONDecoder().decode(ChoiceLogprobs.self, from: Data(body.utf8))
        #expect(lp.topLogprobs == [[.init(token: "4", logprob: -0.25, id: 19), .init(token: "5", logprob: -1.75, id: 20)]])
        let again = try JSONDecoder().decode(ChoiceLogprobs.self, from: JSONEncoder().encode(lp))
        #expect(again == lp)
    }
}
