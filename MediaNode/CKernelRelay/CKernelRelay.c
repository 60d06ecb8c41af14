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

int ckr_interface_index(const char *name) { return (int)if_nametoindex(name); }

int ckr_interface_of(uint32_t address) {
    struct ifaddrs *list;
    if (getifaddrs(&list)) return 0;
    int index = 0;
    for (struct ifaddrs *a = list; a && !index; a = a->ifa_next) {
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET &&
            ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr == address)
            index = (int)if_nametoindex(a->ifa_name);
    }
    freeifaddrs(list);
    return index;
}

int ckr_is_local(uint32_t address) {
    if ((ntohl(address) >> 24) == 127) return 1;
    return ckr_interface_of(address) != 0;
}
