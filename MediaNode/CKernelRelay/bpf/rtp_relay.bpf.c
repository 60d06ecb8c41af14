// The media engine's in-kernel relay for bridged calls: a tc ingress (tcx) program that takes an
// RTP packet arriving at one leg's port, rewrites it as the peer leg's stream (addresses, ports,
// payload type, sequence, timestamp, SSRC, checksums) and sends it on, without waking the engine.
// It continues the engine's receive statistics and send counters, so the engine can take the
// direction back at any moment (lookup-and-delete) with nothing lost. Anything it does not
// recognise goes up to the leg's socket unchanged. Built into ../ckr_object.h by build.sh.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../include/ckr_entry.h"

#define TCX_NEXT (-1)
#define TCX_PASS 0

#define L3 ETH_HLEN
#define L4 (L3 + 20)
#define RTP (L4 + 8)
#define RTP_FIXED 12
#define IP_CHECK (L3 + 10)
#define UDP_CHECK (L4 + 6)
#define MAX_DROPOUT 3000
#define MAX_MISORDER 100

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);  // receiving port, network byte order
    __type(value, struct ckr_entry);
} relays SEC(".maps");

static __always_inline void replace32(struct __sk_buff *skb, __u32 offset, __u32 from, __u32 to, int pseudo, int l3)
{
    if (from == to) return;
    if (l3) bpf_l3_csum_replace(skb, IP_CHECK, from, to, 4);
    bpf_l4_csum_replace(skb, UDP_CHECK, from, to, 4 | BPF_F_MARK_MANGLED_0 | (pseudo ? BPF_F_PSEUDO_HDR : 0));
    bpf_skb_store_bytes(skb, offset, &to, 4, 0);
}

SEC("tc")
int rtp_relay(struct __sk_buff *skb)
{
    if (skb->protocol != bpf_htons(ETH_P_IP) || skb->len < RTP + RTP_FIXED) return TCX_NEXT;
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    if (data + RTP + RTP_FIXED > end) {
        if (bpf_skb_pull_data(skb, RTP + RTP_FIXED)) return TCX_NEXT;
        data = (void *)(long)skb->data;
        end = (void *)(long)skb->data_end;
        if (data + RTP + RTP_FIXED > end) return TCX_NEXT;
    }
    struct iphdr *ip = data + L3;
    if (ip->ihl != 5 || ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(0x3FFF))) return TCX_NEXT;
    struct udphdr *udp = data + L4;
    __u32 key = udp->dest;
    struct ckr_entry *e = bpf_map_lookup_elem(&relays, &key);
    if (!e) return TCX_NEXT;

    __u8 *rtp = data + RTP;
    __u32 word0, timestamp_be, ssrc;
    __builtin_memcpy(&word0, rtp, 4);
    __builtin_memcpy(&timestamp_be, rtp + 4, 4);
    __builtin_memcpy(&ssrc, rtp + 8, 4);
    __u8 first = rtp[0], second = rtp[1];
    if ((first >> 6) != 2 || (second & 0x7F) != e->payload_type || ssrc != e->ssrc) return TCX_NEXT;
    if (ip->saddr != e->source_ip || udp->source != e->source_port) return TCX_NEXT;

    // Receive statistics (RFC 3550 A.1, A.8), as RTPReceiveStatistics keeps them.
    __u16 sequence = bpf_ntohs(*(__u16 *)(rtp + 2));
    __u32 timestamp = bpf_ntohl(timestamp_be);
    __u16 max = (__u16)e->max_sequence;
    __u16 delta = sequence - max;
    if (delta < MAX_DROPOUT) {
        if (sequence < max) e->cycles += 0x10000;
        e->max_sequence = sequence;
    } else if (delta <= 0xFFFF - MAX_MISORDER) {
        return TCX_NEXT;  // a jump: the engine's probation decides
    }
    __u64 now = bpf_ktime_get_ns();
    e->received += 1;
    e->octets_received += skb->len - RTP;
    e->last_arrival_ns = now;
    __s64 transit = (__s64)(__u32)(now / 125000) - (__s64)timestamp;
    if (e->flags & CKR_HAS_TRANSIT) {
        __s64 d = transit - e->last_transit;
        if (d > 0x7FFFFFFF) d -= 0x100000000LL;
        else if (d < -0x80000000LL) d += 0x100000000LL;
        if (d < 0) d = -d;
        e->jitter_q4 += (__u32)d - ((e->jitter_q4 + 8) >> 4);
    }
    e->last_transit = transit;
    e->flags |= CKR_HAS_TRANSIT;

    // The peer leg's stream: its sequence, the source's timestamp moved by the offset, its SSRC.
    __u32 out_sequence = __sync_fetch_and_add(&e->next_sequence, 1) & 0xFFFF;
    __u32 out_timestamp = timestamp + e->timestamp_offset;
    __u32 out_word0 = bpf_htonl((__u32)first << 24 | (__u32)((second & 0x80) | e->out_payload_type) << 16 | out_sequence);
    e->packets_sent += 1;
    e->octets_sent += skb->len - RTP - RTP_FIXED;
    e->last_timestamp = out_timestamp;
    e->last_send_ns = now;

    __u32 old_source = ip->saddr, old_destination = ip->daddr;
    __u32 old_ports, new_ports;
    __builtin_memcpy(&old_ports, &udp->source, 4);
    __u16 ports[2] = {e->out_source_port, e->out_destination_port};
    __builtin_memcpy(&new_ports, ports, 4);
    __u32 out_source = e->out_source_ip, out_destination = e->out_destination_ip, out_ssrc = e->out_ssrc;
    __u32 out_ifindex = e->out_ifindex;

    replace32(skb, L3 + 12, old_source, out_source, 1, 1);
    replace32(skb, L3 + 16, old_destination, out_destination, 1, 1);
    replace32(skb, L4, old_ports, new_ports, 0, 0);
    replace32(skb, RTP, word0, out_word0, 0, 0);
    replace32(skb, RTP + 4, timestamp_be, bpf_htonl(out_timestamp), 0, 0);
    replace32(skb, RTP + 8, ssrc, out_ssrc, 0, 0);
    if (out_ifindex == 0) return TCX_PASS;  // a local destination: up the stack to its socket
    // Leaving the host: a fresh TTL, then out of the media interface with L2 from the neighbour table.
    data = (void *)(long)skb->data;
    end = (void *)(long)skb->data_end;
    if (data + L4 > end) return TCX_PASS;
    ip = data + L3;
    __u16 old_ttl_word = *(__u16 *)&ip->ttl;
    __u16 new_ttl_word = old_ttl_word;
    ((__u8 *)&new_ttl_word)[0] = 64;
    if (old_ttl_word != new_ttl_word) {
        bpf_l3_csum_replace(skb, IP_CHECK, old_ttl_word, new_ttl_word, 2);
        bpf_skb_store_bytes(skb, L3 + 8, &new_ttl_word, 2, 0);
    }
    return bpf_redirect_neigh(out_ifindex, 0, 0, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
