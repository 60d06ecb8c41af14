#include "CKernelRelay.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckr_object.h"

// Kernel 6.6 and later; the system's uapi headers may predate it.
#define CKR_TCX_INGRESS 46
#define CKR_MAX_LINKS 16

struct ckr_relay {
    struct bpf_object *object;
    int program;
    int map;
    int links[CKR_MAX_LINKS];
    int link_count;
};

static int quiet(enum libbpf_print_level level, const char *format, va_list args) {
    (void)level; (void)format; (void)args;
    return 0;
}

ckr_relay *ckr_open(char *error, int error_capacity) {
    libbpf_set_print(quiet);
    ckr_relay *relay = calloc(1, sizeof *relay);
    if (!relay) {
        snprintf(error, error_capacity, "out of memory");
        return NULL;
    }
    LIBBPF_OPTS(bpf_object_open_opts, options, .object_name = "rtp_relay");
    relay->object = bpf_object__open_mem(ckr_object, sizeof ckr_object, &options);
    if (!relay->object) {
        snprintf(error, error_capacity, "opening the BPF object: %s", strerror(errno));
        free(relay);
        return NULL;
    }
    int rc = bpf_object__load(relay->object);
    if (rc) {
        snprintf(error, error_capacity, "loading the BPF program: %s%s", strerror(-rc),
                 rc == -EPERM ? " (needs CAP_BPF and CAP_NET_ADMIN)" : "");
        bpf_object__close(relay->object);
        free(relay);
        return NULL;
    }
    struct bpf_program *program = bpf_object__find_program_by_name(relay->object, "rtp_relay");
    struct bpf_map *map = bpf_object__find_map_by_name(relay->object, "relays");
    if (!program || !map) {
        snprintf(error, error_capacity, "the BPF object lacks its program or map");
        bpf_object__close(relay->object);
        free(relay);
        return NULL;
    }
    relay->program = bpf_program__fd(program);
    relay->map = bpf_map__fd(map);
    return relay;
}

int ckr_attach(ckr_relay *relay, int ifindex) {
    if (relay->link_count == CKR_MAX_LINKS) return -ENOSPC;
    int link = bpf_link_create(relay->program, ifindex, CKR_TCX_INGRESS, NULL);
    if (link < 0) return link;
    relay->links[relay->link_count++] = link;
    return 0;
}

static uint32_t key_of(uint16_t port) { return htons(port); }

int ckr_put(ckr_relay *relay, uint16_t port, const struct ckr_entry *entry) {
    uint32_t key = key_of(port);
    return bpf_map_update_elem(relay->map, &key, entry, BPF_ANY) ? -errno : 0;
}

int ckr_take(ckr_relay *relay, uint16_t port, struct ckr_entry *entry) {
    uint32_t key = key_of(port);
    return bpf_map_lookup_and_delete_elem(relay->map, &key, entry) ? -errno : 0;
}

int ckr_peek(ckr_relay *relay, uint16_t port, struct ckr_entry *entry) {
    uint32_t key = key_of(port);
    return bpf_map_lookup_elem(relay->map, &key, entry) ? -errno : 0;
}

void ckr_close(ckr_relay *relay) {
    if (!relay) return;
    for (int i = 0; i < relay->link_count; i++) close(relay->links[i]);
    bpf_object__close(relay->object);
    free(relay);
}

int ckr_receiving_interfaces(uint32_t bound, int *indexes, int capacity) {
    int count = 0;
    int loopback = (int)if_nametoindex("lo");
    if (loopback && count < capacity) indexes[count++] = loopback;
    struct ifaddrs *list;
    if (getifaddrs(&list)) return count;
    for (struct ifaddrs *a = list; a && count < capacity; a = a->ifa_next) {
        if (!(a->ifa_flags & IFF_UP)) continue;
        if (bound && !(a->ifa_addr && a->ifa_addr->sa_family == AF_INET &&
                       ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr == bound))
            continue;
        int index = (int)if_nametoindex(a->ifa_name);
        int seen = !index;
        for (int i = 0; i < count && !seen; i++) seen = indexes[i] == index;
        if (!seen) indexes[count++] = index;
    }
    freeifaddrs(list);
    return count;
}

int ckr_route(int socket_fd, uint32_t destination, uint16_t port, uint32_t *source, uint32_t *interface) {
    struct sockaddr_in local;
    socklen_t length = sizeof local;
    if (getsockname(socket_fd, (struct sockaddr *)&local, &length) || local.sin_family != AF_INET) return -EAFNOSUPPORT;
    *source = local.sin_addr.s_addr;
    if (!*source) {
        // Bound to 0.0.0.0: the address a connected UDP socket would send from.
        int probe = socket(AF_INET, SOCK_DGRAM, 0);
        if (probe < 0) return -errno;
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = port, .sin_addr.s_addr = destination};
        length = sizeof local;
        int rc = connect(probe, (struct sockaddr *)&to, sizeof to) || getsockname(probe, (struct sockaddr *)&local, &length) ? -errno : 0;
        close(probe);
        if (rc) return rc;
        *source = local.sin_addr.s_addr;
    }
    *interface = 0;
    if ((ntohl(destination) >> 24) == 127) return 0;
    // One pass: a destination among our own addresses stays on this host; otherwise the packet
    // leaves by the interface holding the source address.
    struct ifaddrs *list;
    if (getifaddrs(&list)) return -errno;
    int local_destination = 0;
    for (struct ifaddrs *a = list; a && !local_destination; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
        uint32_t address = ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr;
        if (address == destination) local_destination = 1;
        else if (address == *source && !*interface) *interface = if_nametoindex(a->ifa_name);
    }
    freeifaddrs(list);
    if (local_destination) *interface = 0;
    else if (!*interface) return -ENETUNREACH;
    return 0;
}
