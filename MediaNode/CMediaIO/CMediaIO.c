#define _GNU_SOURCE
#include "CMediaIO.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

int cmio_poller_open(int *wake_fd) {
    int poller = epoll_create1(EPOLL_CLOEXEC);
    if (poller < 0) return -1;
    int wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake < 0) {
        close(poller);
        return -1;
    }
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
    if (epoll_ctl(poller, EPOLL_CTL_ADD, wake, &event) != 0) {
        close(wake);
        close(poller);
        return -1;
    }
    *wake_fd = wake;
    return poller;
}

void cmio_poller_close(int poller, int wake_fd) {
    close(wake_fd);
    close(poller);
}

int cmio_poller_add(int poller, int fd, uint64_t token) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = token};
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
}

int cmio_poller_remove(int poller, int fd) { return epoll_ctl(poller, EPOLL_CTL_DEL, fd, NULL); }

static int pwait2_missing = 0;

int cmio_poller_wait(int poller, int wake_fd, uint64_t *tokens, int max, int64_t timeout_ns) {
    struct epoll_event events[128];
    int capacity = max < 128 ? max : 128;
    int n = -1;
    if (!pwait2_missing) {
        struct timespec timeout = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
        n = epoll_pwait2(poller, events, capacity, timeout_ns < 0 ? NULL : &timeout, NULL);
        if (n < 0 && errno == ENOSYS) pwait2_missing = 1;
    }
    if (pwait2_missing) {
        int timeout_ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
        n = epoll_wait(poller, events, capacity, timeout_ms);
    }
    if (n < 0) return 0;
    for (int i = 0; i < n; i++) {
        tokens[i] = events[i].data.u64;
        if (tokens[i] == UINT64_MAX) {
            uint64_t value;
            while (read(wake_fd, &value, sizeof value) == sizeof value) {
            }
        }
    }
    return n;
}

void cmio_wake(int wake_fd) {
    uint64_t one = 1;
    ssize_t ignored = write(wake_fd, &one, sizeof one);
    (void)ignored;
}

int cmio_udp_open(const struct sockaddr *address, socklen_t length, int receive_buffer) {
    int fd = socket(address->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (receive_buffer > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    if (bind(fd, address, length) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int cmio_local_port(int fd) {
    struct sockaddr_storage address;
    socklen_t length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) return -1;
    if (address.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&address)->sin_port);
    if (address.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&address)->sin6_port);
    return -1;
}

int cmio_receive(int fd, void *bytes, int capacity, struct sockaddr_storage *from, socklen_t *from_length) {
    *from_length = sizeof *from;
    ssize_t n = recvfrom(fd, bytes, (size_t)capacity, 0, (struct sockaddr *)from, from_length);
    return n < 0 ? -1 : (int)n;
}

int cmio_send(int fd, const void *bytes, int length, const struct sockaddr *to, socklen_t to_length) {
    return (int)sendto(fd, bytes, (size_t)length, 0, to, to_length);
}

void cmio_close(int fd) { close(fd); }
