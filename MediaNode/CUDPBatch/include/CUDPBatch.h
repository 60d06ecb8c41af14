// Batched UDP I/O for the relay benchmark's load generator (recvmmsg/sendmmsg, SO_TIMESTAMPNS,
// a timerfd), which Swift's Glibc module does not import. Benchmark-only; sockets are opened
// with the media engine's `cmio_udp_open` (CMediaIO).
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

/// Turns on kernel receive timestamps (SO_TIMESTAMPNS) and sets SO_SNDBUF; 0 or -1 with errno.
int cudp_prepare_generator_socket(int fd, int send_buffer_bytes);
/// Sends `count` datagrams with sendmmsg (in chunks of 64); returns how many were sent.
int cudp_send_batch(int fd, const cudp_outgoing *messages, int count);
/// Receives up to `count` datagrams without blocking (recvmmsg); returns how many, 0 when none.
int cudp_receive_batch(int fd, cudp_incoming *messages, int count);
/// A periodic timer (timerfd, CLOCK_MONOTONIC) firing every `period_ns`; -1 on error.
int cudp_timer_open(int64_t period_ns);
/// Blocks until the timer fires; returns the periods that passed since the last call.
uint64_t cudp_timer_wait(int timer_fd);
/// CLOCK_REALTIME in nanoseconds (the clock SO_TIMESTAMPNS uses).
int64_t cudp_realtime_ns(void);

#endif
