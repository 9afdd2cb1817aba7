import InferenceClient
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test(arguments: [408, 429, 500, 502, 503, 504])
    func retriesServerTroubleAndRateLimits(status: Int) { #expect(RetryPolicy.isRetryable(status: status)) }

    @Test(arguments: [400, 401, 403, 404, 413, 422])
    func neverRetriesOtherClientErrors(status: Int) { #expect(!RetryPolicy.isRetryable(status: status)) }

    @Test func backoffDoublesUpToTheCapWithFullJitter() {
        let policy = RetryPolicy(attempts: 10, baseDelay: 0.5, maxDelay: 4)
        // unit 1 - ε gives the ceiling; unit 0 gives no wait.
        let ceilings = (1...9).map { policy.delay(afterAttempt: $0, retryAfter: nil, unit: 0.999_999)! }
        #expect(zip(ceilings, [0.5, 1, 2, 4, 4, 4, 4, 4, 4]).allSatisfy { abs($0 - $1 * 0.999_999) < 1e-9 })
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unit: 0) == 0)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unit: 0.5) == 1)
    }

    @Test func honoursRetryAfterCappedAndStopsWhenTriesRunOut() {
        let policy = RetryPolicy(attempts: 3, baseDelay: 0.5, maxDelay: 10)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 2, unit: 0.9) == 2)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 3600, unit: 0.9) == 10)
        #expect(policy.delay(afterAttempt: 2, retryAfter: nil, unit: 0.5) != nil)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unit: 0.5) == nil)
    }
}

@Suite("Request planning")
struct PlanningTests {
    @Test func missingSamplesAreGroupedInContiguousRunsOfAtMostN() {
        let runs = RemotePlan.chunks(missing: [0, 1, 2, 3, 4, 7, 8, 10], maxN: 3)
        #expect(runs.map(\.start) == [0, 3, 7, 10])
        #expect(runs.map(\.count) == [3, 2, 2, 1])
        #expect(RemotePlan.chunks(missing: [], maxN: 4).isEmpty)
        #expect(RemotePlan.chunks(missing: Array(0..<64), maxN: 16).map(\.count) == [16, 16, 16, 16])
    }

    @Test func limitsOnNAreReadFromRefusals() {
        #expect(RemotePlan.nLimit(fromError: "Field 'n': Value must be between 1 <= value <= 4, but got 64") == 4)
        #expect(RemotePlan.nLimit(fromError: "Field 'n_cmpl': Value must be between 1 <= value <= 32, but got 33") == 32)
        #expect(RemotePlan.nLimit(fromError: "n must be at most 8") == 8)
        #expect(RemotePlan.nLimit(fromError: "n is 16; it must be an integer in 1...2") == 2)
        #expect(RemotePlan.nLimit(fromError: "max_tokens is 16; it must be an integer in 1...2") == nil)
        #expect(RemotePlan.nLimit(fromError: "the prompt is too long") == nil)
    }

    @Test func aRequestsSeedCarriesItsFirstSample() {
        // Sample j of e2h's decoding draws from seed &+ j &* 0xBF58_476D_1CE4_E5B9: a request that
        // starts at sample s with the offset seed gives sample s + j the same generator.
        let seed: UInt64 = 0xFFFF_FFFF_FFFF_FFF0
        #expect(RemotePlan.seed(seed, start: 0) == Int64(bitPattern: seed))
        let offset = UInt64(bitPattern: RemotePlan.seed(seed, start: 5))
        #expect(offset &+ 2 &* 0xBF58_476D_1CE4_E5B9 == seed &+ 7 &* 0xBF58_476D_1CE4_E5B9)
    }
}
