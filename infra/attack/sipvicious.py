#!/usr/bin/env python3
"""Runs a sipvicious 0.3.3 tool (svmap, svwar, svcrack) from a given source address.

usage: sipvicious.py <bind-ip> <tool> [tool arguments...]

Two fixes to the packaged tools, so a test can attack from a second loopback address with the
tools as an attacker would use them:
* their -b/--bindingip option is not passed on by main() (they always bind 0.0.0.0, so loopback
  traffic leaves from 127.0.0.1); every IPv4 socket bound to the wildcard is bound to <bind-ip>;
* svcrack takes the first WWW-Authenticate and aborts on algorithm=SHA-256, so against a server
  that offers SHA-256 first (RFC 8760) it would never guess; it is given the MD5 challenge.
"""
import re
import socket
import sys

sys.path.insert(0, "/usr/share/sipvicious")

bind_ip, tool, args = sys.argv[1], sys.argv[2], sys.argv[3:]
_bind = socket.socket.bind


def bind(self, address):
    if self.family == socket.AF_INET and isinstance(address, tuple) and address[0] in ("", "0.0.0.0"):
        address = (bind_ip,) + tuple(address[1:])
    return _bind(self, address)


socket.socket.bind = bind

if tool == "svmap":
    import sipvicious.svmap as module
elif tool == "svwar":
    import sipvicious.svwar as module
elif tool == "svcrack":
    import sipvicious.svcrack as module

    def md5_auth_header(pkt):
        found = re.findall("(?<=\r\n)(?:www-authenticate|proxy-authenticate): (.+?)(?=\r\n)", pkt, re.I)
        md5 = [h for h in found if re.search(r"algorithm=\"?md5\b", h, re.I)]
        return (md5 or found or [None])[0]

    module.getAuthHeader = md5_auth_header
else:
    sys.exit("unknown tool %s" % tool)

sys.argv = [tool] + args
sys.exit(module.main())
