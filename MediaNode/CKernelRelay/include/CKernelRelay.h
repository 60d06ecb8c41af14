// The media engine's in-kernel relay (bpf/rtp_relay.bpf.c) as the engine sees it: load the
// program, attach it to interfaces, and hand directions of bridged calls to it and back.
// Linux only; needs CAP_BPF and CAP_NET_ADMIN (root). Everything returns 0 or a negative errno.
#ifndef C_KERNEL_RELAY_H
#define C_KERNEL_RELAY_H

#include <stdint.h>
#include "ckr_entry.h"

typedef struct ckr_relay ckr_relay;

/// Loads the program and its map. NULL when the kernel or our privileges do not allow it, with
/// the reason in `error`.
ckr_relay *ckr_open(char *error, int error_capacity);
/// Runs the program on packets arriving at interface `ifindex` (a tcx link: it goes away with
/// the relay or the process, and leaves other programs on the interface alone).
int ckr_attach(ckr_relay *relay, int ifindex);
/// Relays packets arriving at local UDP port `port` as `entry` says (replacing any entry).
int ckr_put(ckr_relay *relay, uint16_t port, const struct ckr_entry *entry);
/// Takes the entry for `port` back, atomically: the kernel relays no packet after this.
int ckr_take(ckr_relay *relay, uint16_t port, struct ckr_entry *entry);
/// Reads the entry for `port` without taking it.
int ckr_peek(ckr_relay *relay, uint16_t port, struct ckr_entry *entry);
void ckr_close(ckr_relay *relay);

/// The interfaces packets to `bound` (IPv4, network order) arrive on: loopback, and the interface
/// holding `bound`, or every interface that is up when `bound` is 0 (0.0.0.0). Fills up to
/// `capacity` indexes and returns how many.
int ckr_receiving_interfaces(uint32_t bound, int *indexes, int capacity);
/// How a packet sent from UDP socket `socket` to `destination`:`port` (network order) leaves: its
/// source address (the socket's own, or the kernel's choice for a socket bound to 0.0.0.0) and the
/// interface it leaves by (0 when the destination is this host). 0, or a negative errno.
int ckr_route(int socket, uint32_t destination, uint16_t port, uint32_t *source, uint32_t *interface);

#endif
