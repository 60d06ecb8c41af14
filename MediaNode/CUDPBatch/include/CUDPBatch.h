// Batched UDP I/O for the relay benchmark's load generator (recvmmsg/sendmmsg and
// SO_TIMESTAMPNS), which Swift's Glibc module does not import. Benchmark-only: the media
// engine itself does its socket I/O through SwiftNIO.
#ifndef C_UDP_BATCH_H
#define C_UDP_BATCH_H

#include <stdint.h>

/// One datagram for `cudp_send_batch`: bytes and a destination IPv4 port on 127.0.0.1.
typedef struct {
    const uint8_t *bytes;
    uint32_t length;
    uint16_t port;
} cudp_outgoing;

/// One received datagram: where its bytes went, its length and the kernel's receive time
/// (CLOCK_REALTIME nanoseconds, from SO_TIMESTAMPNS; 0 if the kernel gave none).
typedef struct {
    uint8_t *bytes;
    uint32_t capacity;
    uint32_t length;
    int64_t kernel_ns;
} cudp_incoming;

/// A non-blocking UDP socket bound to 127.0.0.1:0 with SO_TIMESTAMPNS and large buffers; -1 on error.
int cudp_open(int buffer_bytes);
/// The socket's local port, or -1.
int cudp_local_port(int fd);
/// Sends `count` datagrams with sendmmsg (in chunks of 64); returns how many were sent.
int cudp_send_batch(int fd, const cudp_outgoing *messages, int count);
/// Receives up to `count` datagrams without blocking (recvmmsg); returns how many, 0 when none.
int cudp_receive_batch(int fd, cudp_incoming *messages, int count);
/// A periodic timer (timerfd, CLOCK_MONOTONIC) firing every `period_ns`; -1 on error.
int cudp_timer_open(int64_t period_ns);
/// Blocks until the timer fires; returns the periods that passed since the last call.
uint64_t cudp_timer_wait(int timer_fd);
// For the benchmark's reference relay (what a Swift relay costs without a channel pipeline):

/// A non-blocking UDP socket bound to 127.0.0.1:0 (no timestamps); -1 on error.
int cudp_open_plain(int buffer_bytes);
/// An epoll instance; `cudp_epoll_add` registers `fd` for input with `token`.
int cudp_epoll_create(void);
int cudp_epoll_add(int poller, int fd, uint64_t token);
/// Waits up to `timeout_ms`; fills `tokens` with the ready registrations and returns how many.
int cudp_epoll_wait(int poller, uint64_t *tokens, int max, int timeout_ms);
/// recvfrom: the datagram's length and its IPv4 source (network order address, host order
/// port), or -1 when nothing is waiting.
int cudp_recv_from(int fd, uint8_t *bytes, int capacity, uint32_t *address, uint16_t *port);
/// sendto an IPv4 address (network order) and port (host order); the bytes sent or -1.
int cudp_send_to(int fd, const uint8_t *bytes, int length, uint32_t address, uint16_t port);

/// CLOCK_REALTIME in nanoseconds (the clock SO_TIMESTAMPNS uses).
int64_t cudp_realtime_ns(void);

#endif
