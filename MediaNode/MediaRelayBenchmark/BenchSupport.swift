import CMediaIO
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking UDP socket on 127.0.0.1 (the engine's own `cmio_udp_open`) and its port.
func openLoopbackUDP(receiveBuffer: Int) throws -> (fd: Int32, port: Int) {
    let address = try SocketAddress(ipAddress: "127.0.0.1", port: 0)
    let fd = address.withSockAddr { cmio_udp_open($0, socklen_t($1), Int32(receiveBuffer)) }
    guard fd >= 0 else { throw LoadGenerator.Failure(description: "cannot open a loopback UDP socket (errno \(errno))") }
    return (fd, Int(cmio_local_port(fd)))
}

/// The CPU clock of the calling thread, to read from any thread with `threadCPUSeconds(_:)`.
func currentThreadCPUClock() -> clockid_t {
    var clock = clockid_t()
    pthread_getcpuclockid(pthread_self(), &clock)
    return clock
}

/// Seconds of CPU a clock has counted (a thread's, or CLOCK_THREAD_CPUTIME_ID for the caller's).
func threadCPUSeconds(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
