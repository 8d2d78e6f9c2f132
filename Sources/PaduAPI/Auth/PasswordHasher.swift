import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// Slow, salted password hashing (bcrypt; the cost and salt travel inside the hash), run on
/// NIO's blocking thread pool so it never stalls the event loops or Swift's cooperative pool.
public struct PasswordHasher: Sendable {
    public var cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = cost }

    /// A bcrypt hash of `password`.
    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`. With no hash (unknown user) it still spends the
    /// same time against a fixed hash, so the answer's timing does not reveal usernames.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let target = hash ?? Self.decoy(cost: cost)
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return hash != nil && matches
    }

    /// Minimum length for a new password.
    public static let minimumLength = 10

    private static func decoy(cost: UInt8) -> String {
        // A hash of a random value, made once per cost.
        decoys.withLock { cache in
            if let known = cache[cost] { return known }
            let made = Bcrypt.hash(String(UInt64.random(in: 0...UInt64.max)), cost: cost)
            cache[cost] = made
            return made
        }
    }
}

private let decoys = Mutex<[UInt8: String]>([:])
