// One direction of a bridged call as the kernel relays it: shared by the BPF program
// (bpf/rtp_relay.bpf.c) and the engine (through CKernelRelay.h). Keyed by the receiving
// leg's local UDP port. Addresses, ports and SSRCs in network byte order; counters in host order.
#ifndef CKR_ENTRY_H
#define CKR_ENTRY_H

#ifdef __bpf__
#include <linux/types.h>
typedef __u8 ckr_u8;
typedef __u16 ckr_u16;
typedef __u32 ckr_u32;
typedef __u64 ckr_u64;
typedef __s64 ckr_s64;
#else
#include <stdint.h>
typedef uint8_t ckr_u8;
typedef uint16_t ckr_u16;
typedef uint32_t ckr_u32;
typedef uint64_t ckr_u64;
typedef int64_t ckr_s64;
#endif

struct ckr_entry {
    // What is relayed: packets from this source, with this SSRC and payload type. Anything
    // else (telephone-events, a new SSRC, a moved source, a big sequence jump) goes up to the
    // leg's socket, and the engine takes the direction back.
    ckr_u32 source_ip;
    ckr_u16 source_port;
    ckr_u8 payload_type;
    ckr_u8 out_payload_type;
    ckr_u32 ssrc;

    // How it leaves: from the peer leg's socket to the peer's address, as the peer leg's stream.
    ckr_u32 out_source_ip;
    ckr_u32 out_destination_ip;
    ckr_u16 out_source_port;
    ckr_u16 out_destination_port;
    ckr_u32 out_ssrc;
    ckr_u32 timestamp_offset;  // added to the source's timestamp
    ckr_u32 next_sequence;     // low 16 bits: the peer leg's next sequence number
    ckr_u32 out_ifindex;       // 0: the destination is this host; else leave by this interface
    ckr_u32 reserved;

    // The receiving leg's statistics (RFC 3550 A.1, A.3, A.8), continued from the engine's.
    ckr_u32 received;
    ckr_u32 cycles;
    ckr_u32 max_sequence;
    ckr_u32 jitter_q4;  // jitter × 16, timestamp units
    ckr_s64 last_transit;
    ckr_u64 octets_received;
    ckr_u64 last_arrival_ns;  // CLOCK_MONOTONIC

    // The peer leg's sending counters (RFC 3550 §6.4.1), continued from the engine's.
    ckr_u32 packets_sent;
    ckr_u32 octets_sent;  // payload octets
    ckr_u32 last_timestamp;
    ckr_u32 flags;  // CKR_HAS_TRANSIT
    ckr_u64 last_send_ns;
};

#define CKR_HAS_TRANSIT 1u

#endif
