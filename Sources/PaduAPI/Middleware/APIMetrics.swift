import PaduStore
import Prometheus
import Synchronization

/// Prometheus metrics of one server: requests and latency by route and status, pool usage.
final class APIMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let db: PaduDatabase
    private let poolGauges: [String: Gauge]
    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(5), .seconds(10),
    ]

    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }
    private let series = Mutex<[Key: (Counter, DurationHistogram)]>([:])

    init(db: PaduDatabase) {
        self.db = db
        var gauges: [String: Gauge] = [:]
        for state in ["open", "idle", "leased", "waiting"] {
            gauges[state] = registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "padu", subsystem: "db_pool", metricName: "connections",
                    helpText: "Database pool connections by state"),
                labels: [("state", state)])
        }
        poolGauges = gauges
    }

    func record(route: String, method: String, status: Int, duration: Duration) {
        let key = Key(route: route, method: method, status: status)
        let (counter, histogram) = series.withLock { series in
            if let existing = series[key] { return existing }
            let labels = [("route", route), ("method", method), ("status", String(status))]
            let made = (
                registry.makeCounter(
                    descriptor: MetricNameDescriptor(
                        namespace: "padu", subsystem: "http", metricName: "requests", unitName: "total",
                        helpText: "HTTP requests by route, method and status"),
                    labels: labels),
                registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(
                        namespace: "padu", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                        helpText: "HTTP request latency by route, method and status"),
                    labels: labels, buckets: Self.buckets)
            )
            series[key] = made
            return made
        }
        counter.increment()
        histogram.record(duration)
    }

    /// The exposition text, with pool gauges read now.
    func exposition() -> [UInt8] {
        let stats = db.poolStatistics
        poolGauges["open"]?.set(Double(stats.open))
        poolGauges["idle"]?.set(Double(stats.idle))
        poolGauges["leased"]?.set(Double(stats.leased))
        poolGauges["waiting"]?.set(Double(stats.waiting))
        return registry.emitToBuffer()
    }
}
