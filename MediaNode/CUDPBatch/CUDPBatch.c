#define _GNU_SOURCE
#include "CUDPBatch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

int cudp_prepare_generator_socket(int fd, int send_buffer_bytes) {
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) return -1;
    return setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer_bytes, sizeof send_buffer_bytes);
}

enum { BATCH = 64 };

int cudp_send_batch(int fd, const cudp_outgoing *messages, int count) {
    struct mmsghdr headers[BATCH];
    struct iovec vectors[BATCH];
    struct sockaddr_in addresses[BATCH];
    int sent = 0;
    while (sent < count) {
        int n = count - sent < BATCH ? count - sent : BATCH;
        for (int i = 0; i < n; i++) {
            const cudp_outgoing *m = &messages[sent + i];
            memset(&addresses[i], 0, sizeof addresses[i]);
            addresses[i].sin_family = AF_INET;
            addresses[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            addresses[i].sin_port = htons(m->port);
            vectors[i].iov_base = (void *)m->bytes;
            vectors[i].iov_len = m->length;
            memset(&headers[i], 0, sizeof headers[i]);
            headers[i].msg_hdr.msg_name = &addresses[i];
            headers[i].msg_hdr.msg_namelen = sizeof addresses[i];
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
        int r = sendmmsg(fd, headers, (unsigned)n, 0);
        if (r <= 0) break;
        sent += r;
    }
    return sent;
}

int cudp_receive_batch(int fd, cudp_incoming *messages, int count) {
    struct mmsghdr headers[BATCH];
    struct iovec vectors[BATCH];
    char control[BATCH][CMSG_SPACE(sizeof(struct timespec))];
    int n = count < BATCH ? count : BATCH;
    for (int i = 0; i < n; i++) {
        vectors[i].iov_base = messages[i].bytes;
        vectors[i].iov_len = messages[i].capacity;
        memset(&headers[i], 0, sizeof headers[i]);
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
        headers[i].msg_hdr.msg_control = control[i];
        headers[i].msg_hdr.msg_controllen = sizeof control[i];
    }
    int r = recvmmsg(fd, headers, (unsigned)n, MSG_DONTWAIT, NULL);
    if (r <= 0) return 0;
    for (int i = 0; i < r; i++) {
        messages[i].length = headers[i].msg_len;
        messages[i].kernel_ns = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&headers[i].msg_hdr); c != NULL; c = CMSG_NXTHDR(&headers[i].msg_hdr, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(c), sizeof ts);
                messages[i].kernel_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
            }
        }
    }
    return r;
}

int64_t cudp_realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int cudp_timer_open(int64_t period_ns) {
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (timer < 0) return -1;
    struct itimerspec period = {
        .it_interval = {.tv_sec = period_ns / 1000000000, .tv_nsec = period_ns % 1000000000},
        .it_value = {.tv_sec = period_ns / 1000000000, .tv_nsec = period_ns % 1000000000},
    };
    timerfd_settime(timer, 0, &period, NULL);
    return timer;
}

uint64_t cudp_timer_wait(int timer_fd) {
    uint64_t value = 0;
    if (read(timer_fd, &value, sizeof value) != sizeof value) return 0;
    return value;
}
