/// Settings of the HTTP API.
public struct APIConfiguration: Sendable {
    /// How long a login token lives.
    public var tokenLifetime: Duration = .seconds(8 * 3600)
    /// Largest request body in general, and for the registry import.
    public var bodyLimit = 10 * 1024 * 1024
    public var registryImportLimit = 200 * 1024 * 1024
    /// bcrypt cost for new password hashes (each +1 doubles the work).
    public var bcryptCost: UInt8 = 12
    /// Sign-in attempts counted over this window; past the limits the answer is 429. The first
    /// limit is per username from one address (so guesses elsewhere never lock a user out), the
    /// second per address over all usernames.
    public var loginWindow: Duration = .seconds(15 * 60)
    public var maxFailuresPerUsername = 5
    public var maxFailuresPerAddress = 30
    /// How often the server drains the summary's queue of changed cells (0046): a committed write
    /// shows in /summary within this interval plus the recompute.
    public var summaryRefreshInterval: Duration = .seconds(1)
    /// The dashboard's slower figures (agency pairs, deciles per agency, the poorest not
    /// reached) read every delivery: they follow the summary at most this often, on their own
    /// loop so the summary's one-second drain never waits for them.
    public var dashboardRefreshInterval: Duration = .seconds(60)
    /// How long an analyst's statement (or idle transaction) may last before the watchdog ends
    /// it, and how often the watchdog looks.
    public var analystStatementLimit: Duration = .seconds(120)
    public var analystWatchdogInterval: Duration = .seconds(10)
    /// A long-lived bearer token for the Prometheus scraper on `/metrics` (an admin's session
    /// token works too). Nil: only admins.
    public var metricsToken: String?
    /// The key of the pages' CSRF tokens (an HMAC of the session token). Random per process
    /// unless `PADU_PAGE_KEY` gives one: servers behind one address must share it.
    public var pageKey: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }

    public init() {}
}
