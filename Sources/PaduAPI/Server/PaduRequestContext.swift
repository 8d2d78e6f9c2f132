import Hummingbird
import Logging
import NIOCore

/// Per-request state: Hummingbird's core context and the request id used in logs, the audit
/// log and error bodies.
public struct PaduRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Upload limit for decoding bodies; routes that accept more (registry import) raise it.
    public var maxUploadSize: Int

    /// The client's IP address, for rate limiting failed logins.
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        maxUploadSize = 10 * 1024 * 1024
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The id Hummingbird gave the request.
    public var requestID: String { id }
}
