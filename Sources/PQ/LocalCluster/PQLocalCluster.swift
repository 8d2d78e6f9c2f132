import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL cluster this process owns in a folder: created with `initdb`, run with
/// `pg_ctl`, reachable on a Unix socket in the folder and on loopback TCP only.
///
/// It uses the system's PostgreSQL server binaries (found on `PATH`, then under
/// `/usr/lib/postgresql/*/bin`). `initdb` refuses to run as root, so when this process is
/// root the server commands run as the `postgres` system user, which then owns the folder.
public struct PQLocalCluster: Sendable {
    /// The folder holding `data/`, `run/` (the socket), `postgres.log` and `port`.
    public let directory: String
    /// Settings written to `postgresql.conf` at creation, e.g. `fsync = off` for test clusters.
    public var extraSettings: [String: String]

    /// The superuser role created by `initdb`.
    public static let superuser = "postgres"

    public init(directory: String, extraSettings: [String: String] = [:]) {
        self.directory = Self.absolute(directory)
        self.extraSettings = extraSettings
    }

    public var dataDirectory: String { directory + "/data" }
    public var socketDirectory: String { directory + "/run" }
    public var logFile: String { directory + "/postgres.log" }
    private var portFile: String { directory + "/port" }

    /// The TCP port on 127.0.0.1, chosen when the cluster was created.
    public var port: Int? {
        (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    public var isInitialized: Bool {
        FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION")
    }

    /// A libpq URL for `user` and `database` over the Unix socket.
    public func url(user: String = PQLocalCluster.superuser, database: String = "postgres") -> String {
        let host = socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketDirectory
        return "postgresql://\(user)@/\(database)?host=\(host)&port=\(port ?? 5432)"
    }

    /// Creates the cluster if it does not exist yet.
    public func initialize() throws {
        guard !isInitialized else { return }
        let tools = try PostgresTools.locate()
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try manager.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        chmod(socketDirectory, 0o700)
        if Self.isRoot {
            try Self.checkTraversable(directory)
            try run(["/bin/chown", "-R", "postgres:postgres", directory], asPostgres: false)
        }
        try run(
            [
                tools.bin + "/initdb", "--pgdata=" + dataDirectory, "--username=" + Self.superuser,
                "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
                "--no-instructions",
            ], asPostgres: Self.isRoot)
        let port = try Self.freeLoopbackPort()
        var settings = [
            "listen_addresses": "'127.0.0.1'",
            "port": String(port),
            "unix_socket_directories": "'\(socketDirectory)'",
            "unix_socket_permissions": "0700",
            "max_connections": "200",
            "shared_buffers": "'\(Self.sharedBuffersMB)MB'",
            "timezone": "'UTC'",
        ]
        for (key, value) in extraSettings { settings[key] = value }
        let lines = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(
            contentsOf: Data(("\n# written by PQLocalCluster\n" + lines.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        try String(port).write(toFile: portFile, atomically: true, encoding: .utf8)
        if Self.isRoot {
            try run(["/bin/chown", "-R", "postgres:postgres", directory], asPostgres: false)
        }
    }

    /// A quarter of the memory this process may use (the machine's, or its cgroup's limit when
    /// lower), from 256 MB to 2 GB. The registry check at 200,000 households reads the persons'
    /// NIK index, the households, members, deliveries' and plan lines' indexes: with 256 MB they
    /// did not stay in PostgreSQL's buffers, and each page was copied again from the kernel's
    /// cache (docs/benchmarks.md). Read when the cluster is created; an existing cluster keeps its
    /// setting (`ALTER SYSTEM SET shared_buffers` and a restart change it).
    static var sharedBuffersMB: UInt64 {
        var bytes = ProcessInfo.processInfo.physicalMemory
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
                let limit = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                bytes = min(bytes, limit)
            }
        }
        return min(max(bytes / 4 / (1 << 20), 256), 2048)
    }

    /// Starts the server and waits until it accepts connections.
    public func start() throws {
        guard !isRunning else { return }
        let tools = try PostgresTools.locate()
        // A stale pid file from a crash would make pg_ctl refuse; it checks the pid itself.
        try run(
            [tools.bin + "/pg_ctl", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "start"],
            asPostgres: Self.isRoot)
    }

    /// Stops the server (fast shutdown: sessions are disconnected, work in progress rolls back).
    public func stop(immediate: Bool = false) throws {
        guard isRunning else { return }
        let tools = try PostgresTools.locate()
        try run(
            [
                tools.bin + "/pg_ctl", "-D", dataDirectory, "-w", "-t", "60", "-m", immediate ? "immediate" : "fast",
                "stop",
            ],
            asPostgres: Self.isRoot)
    }

    /// Restarts the server, breaking every connection.
    public func restart() throws {
        let tools = try PostgresTools.locate()
        try run(
            [tools.bin + "/pg_ctl", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-m", "fast", "restart"],
            asPostgres: Self.isRoot)
    }

    public var isRunning: Bool {
        guard isInitialized, let tools = try? PostgresTools.locate() else { return false }
        return (try? run([tools.bin + "/pg_ctl", "-D", dataDirectory, "status"], asPostgres: Self.isRoot)) != nil
    }

    /// Stops the server and deletes the folder.
    public func destroy() throws {
        try? stop(immediate: true)
        try FileManager.default.removeItem(atPath: directory)
    }

    // MARK: helpers

    static var isRoot: Bool { geteuid() == 0 }

    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/" + path).standardizedFileURL.path
    }

    /// The `postgres` user must reach the folder through every ancestor.
    private static func checkTraversable(_ path: String) throws {
        var current = URL(fileURLWithPath: path).deletingLastPathComponent()
        while current.path != "/" {
            var info = stat()
            if stat(current.path, &info) == 0, info.st_mode & 0o001 == 0 {
                throw PQLocalClusterError(
                    "\(current.path) is not traversable by the postgres user; put the cluster under a world-traversable folder such as /tmp or /var/lib"
                )
            }
            current = current.deletingLastPathComponent()
        }
    }

    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PQLocalClusterError("cannot open a socket to find a free port") }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw PQLocalClusterError("cannot find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @discardableResult
    func runTool(_ arguments: [String], asPostgres: Bool) throws -> String {
        try run(arguments, asPostgres: asPostgres)
    }

    @discardableResult
    private func run(_ arguments: [String], asPostgres: Bool) throws -> String {
        let command = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments : arguments
        let (status, text) = try runCommand(command)
        guard status == 0 else {
            throw PQLocalClusterError(
                "\(URL(fileURLWithPath: arguments[0]).lastPathComponent) failed (exit \(status)): \(text)")
        }
        return text
    }
}

/// Runs a program to completion and returns its exit status and combined output.
///
/// posix_spawn and waitpid rather than Foundation's Process: `pg_ctl start` leaves a server
/// running that inherits the output descriptor, and Process waits on that descriptor too.
/// Output goes to a temporary file for the same reason (a pipe would never reach end-of-file).
func runCommand(_ command: [String]) throws -> (status: Int32, output: String) {
    let outputPath = NSTemporaryDirectory() + "pq-command-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // Run from /tmp: the postgres user may not be able to read the caller's folder.
    let wrapped = ["/bin/sh", "-c", "cd /tmp && exec \"$@\"", "sh"] + command
    var argv: [UnsafeMutablePointer<CChar>?] = wrapped.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    // The child starts with no blocked signals and default handlers: Swift's threads block
    // some, and e.g. pgbench's -T relies on SIGALRM.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ)
    guard spawned == 0 else {
        throw PQLocalClusterError("cannot run \(command[0]): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw PQLocalClusterError("waitpid failed: errno \(errno)") }
    }
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    // WIFEXITED / WEXITSTATUS are macros; decode the status word by hand.
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitStatus, output)
}

/// A failure creating, starting or stopping a local cluster.
public struct PQLocalClusterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Where the PostgreSQL server programs are.
public struct PostgresTools: Sendable {
    public let bin: String

    public static func locate() throws -> PostgresTools {
        let manager = FileManager.default
        var candidates: [String] = []
        if let path = ProcessInfo.processInfo.environment["PATH"] {
            candidates += path.split(separator: ":").map(String.init)
        }
        if let versions = try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            let sorted = versions.compactMap(Int.init).sorted(by: >)
            candidates += sorted.map { "/usr/lib/postgresql/\($0)/bin" }
        }
        for directory in candidates
        where manager.isExecutableFile(atPath: directory + "/initdb")
            && manager.isExecutableFile(atPath: directory + "/pg_ctl")
        {
            // PATH may hold links (/usr/local/bin/initdb): the real folder has pgbench, psql too.
            let real = URL(fileURLWithPath: directory + "/initdb").resolvingSymlinksInPath()
            return PostgresTools(bin: real.deletingLastPathComponent().path)
        }
        throw PQLocalClusterError(
            "initdb and pg_ctl were not found on PATH or under /usr/lib/postgresql/*/bin; install the postgresql package"
        )
    }

    /// Runs one of PostgreSQL's programs (`pgbench`, `psql`, ...) to completion; returns its
    /// exit status and combined output.
    public func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runCommand([bin + "/" + program] + arguments)
    }
}
