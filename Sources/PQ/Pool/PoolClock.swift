/// The pool's view of whichever `Clock` it was given: instants are durations since the pool
/// was made, so `PQClient` stays one non-generic type on `ContinuousClock` in production and on
/// a clock the tests advance by hand.
struct PoolClock: Sendable {
    typealias Instant = Duration

    private let currentOffset: @Sendable () -> Duration
    private let sleepUntilOffset: @Sendable (Duration) async throws -> Void

    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        currentOffset = { origin.duration(to: clock.now) }
        sleepUntilOffset = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
    }

    var now: Instant { currentOffset() }

    func sleep(until deadline: Instant) async throws { try await sleepUntilOffset(deadline) }

    func sleep(for duration: Duration) async throws { try await sleep(until: now + duration) }
}
