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

/// The index of interface `name`, or 0.
int ckr_interface_index(const char *name);
/// The interface that holds IPv4 address `address` (network order), or 0.
int ckr_interface_of(uint32_t address);
/// 1 when `address` (IPv4, network order) is this host's own (loopback included), else 0.
int ckr_is_local(uint32_t address);

#endif
