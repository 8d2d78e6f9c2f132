import Testing

@testable import PQ

@Suite("Pool schedule")
struct PoolScheduleTests {
    let configuration = PQClientConfiguration(
        connection: PQConnectionConfiguration("postgresql://nobody@127.0.0.1:1/none"),
        minimumConnections: 1, maximumConnections: 4, idleTimeout: .seconds(60), healthCheckInterval: .seconds(15),
        initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))

    @Test("backoff starts at the initial delay, doubles per failure and stops at the maximum")
    func backoff() {
        #expect(configuration.backoff(afterFailures: 0) == .zero)
        #expect(
            (1...7).map { configuration.backoff(afterFailures: $0) } == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
                .seconds(1), .seconds(1),
            ])
        #expect(configuration.backoff(afterFailures: 10_000) == .seconds(1))
    }

    @Test("a connection idle past the timeout closes only while the pool is above its minimum")
    func idleAboveMinimum() {
        let long = (idle: Duration.seconds(61), unchecked: Duration.seconds(16))
        #expect(configuration.idleVerdicts([long, long, long], open: 3) == [.close, .close, .check])
        #expect(configuration.idleVerdicts([long], open: 1) == [.check])
        #expect(configuration.idleVerdicts([long], open: 4) == [.close])
    }

    @Test("a connection unchecked past the check interval is checked; a fresh one is kept")
    func healthCheck() {
        let times: [(idle: Duration, unchecked: Duration)] = [
            (.seconds(16), .seconds(16)), (.seconds(15), .seconds(15)), (.zero, .zero),
        ]
        #expect(configuration.idleVerdicts(times, open: 3) == [.check, .keep, .keep])
    }

    @Test("a health check does not make a connection young again")
    func checkIsNotUse() {
        // Checked a second ago, but unused for 61 s: it closes.
        #expect(configuration.idleVerdicts([(idle: .seconds(61), unchecked: .seconds(1))], open: 2) == [.close])
    }
}
