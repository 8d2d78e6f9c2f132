import CLibPQ
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// Linux ABI values of <sys/epoll.h>; the header's enum does not import into Swift.
private let epollIn: UInt32 = 0x001
private let epollOut: UInt32 = 0x004
private let epollErr: UInt32 = 0x008
private let epollHup: UInt32 = 0x010
private let epollRdHup: UInt32 = 0x2000
private let epollOneShot: UInt32 = 1 << 30

/// Readiness a libpq socket is waited for.
struct SocketInterest: OptionSet, Sendable {
    let rawValue: UInt32
    static let read = SocketInterest(rawValue: epollIn)
    static let write = SocketInterest(rawValue: epollOut)
}

/// One thread that waits on libpq sockets with epoll and resumes the waiting tasks.
///
/// libpq runs in non-blocking mode: every libpq call returns at once, so it may run on Swift's
/// cooperative pool; only "wait until the socket is ready" needs a thread that may block, and
/// this one thread serves every connection of the process. A task arms a one-shot epoll
/// registration for its connection's socket and suspends; the reactor resumes it when the
/// kernel reports readiness (or an error or hang-up, which the next libpq call turns into an
/// error).
final class SocketReactor: Sendable {
    static let shared = SocketReactor()

    private let epollFD: Int32
    private let waiters = Mutex<[Int32: UnsafeContinuation<SocketInterest, Never>]>([:])

    private init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epollFD >= 0, "epoll_create1 failed: errno \(errno)")
        let thread = Thread { [self] in self.loop() }
        thread.name = "pq-reactor"
        thread.start()
    }

    /// Suspends until `fd` is ready for `interest`; returns what the kernel reported.
    func wait(fd: Int32, for interest: SocketInterest) async -> SocketInterest {
        await withUnsafeContinuation { continuation in
            waiters.withLock { $0[fd] = continuation }
            var event = epoll_event()
            event.events = interest.rawValue | epollOneShot | epollRdHup
            event.data.fd = fd
            if epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) != 0 {
                if errno == ENOENT, epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 { return }
                // The socket cannot be watched (closed underneath us): let libpq find out.
                let waiter = waiters.withLock { $0.removeValue(forKey: fd) }
                waiter?.resume(returning: [.read, .write])
            }
        }
    }

    /// Stops watching `fd`; call before the socket is closed.
    func forget(fd: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        let waiter = waiters.withLock { $0.removeValue(forKey: fd) }
        waiter?.resume(returning: [.read, .write])
    }

    private func loop() {
        let capacity = 128
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        while true {
            let count = epoll_wait(epollFD, events, Int32(capacity), -1)
            if count < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait failed: errno \(errno)")
            }
            for index in 0..<Int(count) {
                let event = events[index]
                let fd = event.data.fd
                var ready = SocketInterest(rawValue: event.events & (epollIn | epollOut))
                if event.events & (epollErr | epollHup | epollRdHup) != 0 {
                    ready.formUnion([.read, .write])
                }
                let waiter = waiters.withLock { $0.removeValue(forKey: fd) }
                waiter?.resume(returning: ready)
            }
        }
    }
}
