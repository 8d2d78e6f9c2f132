import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension PQLocalCluster {
    /// Whether this cluster is a standby (its data folder has `standby.signal`).
    public var isStandby: Bool {
        FileManager.default.fileExists(atPath: dataDirectory + "/standby.signal")
    }

    /// Creates this cluster as a streaming hot standby of `primary`, which must be running:
    /// `pg_basebackup -R` over the primary's Unix socket (the local replication connection
    /// `initdb` trusts), then its own port on 127.0.0.1 and its own socket folder. Start it with
    /// `start()`; it replays the primary's WAL and answers read-only queries.
    public func initializeStandby(of primary: PQLocalCluster) throws {
        guard !isInitialized else { return }
        guard let primaryPort = primary.port else {
            throw PQLocalClusterError("the primary in \(primary.directory) has no port; is it initialised?")
        }
        let tools = try PostgresTools.locate()
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try manager.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        chmod(socketDirectory, 0o700)
        if Self.isRoot {
            try runTool(["/bin/chown", "-R", "postgres:postgres", directory], asPostgres: false)
        }
        try runTool(
            [
                tools.bin + "/pg_basebackup", "--pgdata=" + dataDirectory, "--write-recovery-conf",
                "--wal-method=stream", "--checkpoint=fast", "--no-password",
                "--host=" + primary.socketDirectory, "--port=" + String(primaryPort),
                "--username=" + Self.superuser,
            ], asPostgres: Self.isRoot)
        let port = try Self.freeLoopbackPort()
        // The copied postgresql.conf names the primary's port and socket; later lines win.
        let lines = [
            "", "# written by PQLocalCluster.initializeStandby",
            "port = \(port)", "unix_socket_directories = '\(socketDirectory)'", "hot_standby = on",
        ]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        try String(port).write(toFile: directory + "/port", atomically: true, encoding: .utf8)
        if Self.isRoot {
            try runTool(["/bin/chown", "-R", "postgres:postgres", directory], asPostgres: false)
        }
    }

    /// Promotes this standby to a primary and waits until it accepts writes.
    public func promote() throws {
        let tools = try PostgresTools.locate()
        try runTool([tools.bin + "/pg_ctl", "-D", dataDirectory, "-w", "-t", "60", "promote"], asPostgres: Self.isRoot)
    }

    /// A libpq URL naming several local clusters, tried in order (libpq's multi-host form over
    /// their sockets), e.g. with `target_session_attrs=read-write` to reach whichever is primary.
    public static func multiHostURL(
        _ clusters: [PQLocalCluster], user: String = superuser, database: String = "postgres",
        parameters: String = "target_session_attrs=read-write"
    ) -> String {
        let hosts = clusters.map {
            $0.socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.socketDirectory
        }
        let ports = clusters.map { String($0.port ?? 5432) }
        return
            "postgresql://\(user)@/\(database)?host=\(hosts.joined(separator: ","))&port=\(ports.joined(separator: ","))&\(parameters)"
    }

    /// Creates and starts a throwaway standby of `primary` beside it in the temporary folder;
    /// it is stopped and deleted when the process exits.
    public static func startTemporaryStandby(of primary: PQLocalCluster) throws -> PQLocalCluster {
        let standby = PQLocalCluster(directory: primary.directory + "-standby")
        registerTemporary(standby.directory)
        try standby.initializeStandby(of: primary)
        try standby.start()
        return standby
    }
}
