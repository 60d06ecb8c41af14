// The system calls of the media engine's packet loop (epoll, eventfd, recvfrom/sendto on
// non-blocking UDP sockets), which Swift's Glibc module does not import. Linux only.
#ifndef C_MEDIA_IO_H
#define C_MEDIA_IO_H

#include <stdint.h>
#include <sys/socket.h>

/// An epoll instance with an eventfd registered under token UINT64_MAX (the wake-up); returns
/// the epoll descriptor and sets `wake_fd`, or -1 with errno.
int cmio_poller_open(int *wake_fd);
void cmio_poller_close(int poller, int wake_fd);
/// Registers `fd` for input under `token`; 0 or -1 with errno.
int cmio_poller_add(int poller, int fd, uint64_t token);
int cmio_poller_remove(int poller, int fd);
/// Waits up to `timeout_ns` (-1: forever; nanosecond precision with epoll_pwait2, else rounded
/// up to milliseconds); fills `tokens` and returns how many are ready (0 on timeout or EINTR).
/// A ready wake-up is drained and reported as UINT64_MAX.
int cmio_poller_wait(int poller, int wake_fd, uint64_t *tokens, int max, int64_t timeout_ns);
/// Wakes a waiting `cmio_poller_wait` (from any thread).
void cmio_wake(int wake_fd);

/// A non-blocking UDP socket bound to `address`; -1 with errno. `receive_buffer` > 0 sets SO_RCVBUF.
int cmio_udp_open(const struct sockaddr *address, socklen_t length, int receive_buffer);
/// The bound port, or -1.
int cmio_local_port(int fd);
/// One datagram into `bytes`; its length, or -1 when none is waiting (or on error). `from` gets
/// the source (IPv4 or IPv6) and `from_length` its length.
int cmio_receive(int fd, void *bytes, int capacity, struct sockaddr_storage *from, socklen_t *from_length);
/// sendto; the bytes sent or -1.
int cmio_send(int fd, const void *bytes, int length, const struct sockaddr *to, socklen_t to_length);
void cmio_close(int fd);

#endif
