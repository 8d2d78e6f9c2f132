import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension PQLocalCluster {
    /// Creates and starts a throwaway cluster in the system's temporary folder, tuned for
    /// speed over durability (`fsync = off`). It is stopped and deleted when the process exits.
    /// Every suite of a test run shares it at once, each with its own pools; on a loaded machine
    /// they outlasted PostgreSQL's default of 100 connections (107 failures in one run), hence 400.
    public static func startTemporary(name: String = "pq") throws -> PQLocalCluster {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let directory = "\(base)/\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let cluster = PQLocalCluster(
            directory: directory,
            extraSettings: [
                "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                "shared_buffers": "'128MB'", "max_connections": "400",
            ])
        registerTemporary(directory)
        try cluster.initialize()
        try cluster.start()
        return cluster
    }

    /// Stops and deletes the cluster in `directory` when the process exits.
    static func registerTemporary(_ directory: String) {
        temporaryClusters.withLock { $0.append(directory) }
        registerCleanup
    }

    /// One temporary cluster shared by everything in this process that asks for it (test suites).
    public static func sharedTemporary() throws -> PQLocalCluster {
        try sharedCluster.withLock { shared in
            if let shared { return shared }
            let cluster = try startTemporary(name: "pq-shared")
            shared = cluster
            return cluster
        }
    }
}

private let sharedCluster = Mutex<PQLocalCluster?>(nil)
private let temporaryClusters = Mutex<[String]>([])

private let registerCleanup: Void = {
    atexit {
        let directories = temporaryClusters.withLock { $0 }
        for directory in directories {
            try? PQLocalCluster(directory: directory).destroy()
        }
    }
}()
