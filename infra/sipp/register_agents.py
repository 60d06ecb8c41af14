#!/usr/bin/env python3
"""Registers many agents' phones at a media node with PJSIP (pjsua2), digest auth included, with
each binding's Contact pointing at one SIPp instance that answers their calls (agent_answer.xml).
SIPp itself cannot do this: it answers only the first WWW-Authenticate (SHA-256 here) and its
[authentication] keyword does not take per-agent injection fields.

usage: register_agents.py <node_port> <agents.csv> <contact_port>
  agents.csv: one "username;domain;password" per line (a first line "SEQUENTIAL" is skipped),
  at most 7 (pjsua's PJSUA_MAX_ACC is 8 in the Debian/pip builds): run one process per 7 agents.
Prints "REGISTERED <n>" once all n bindings are accepted. A line "REGISTER" on stdin registers
all again (after a node restart); end of stdin exits without unregistering (the bindings simply
expire), as phones that lose power do.
"""
import select
import os
import sys
import time
import pjsua2 as pj

port, csv_path, contact_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
agents = [line.strip().split(";")[:3] for line in open(csv_path) if ";" in line]

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pjsip"))
import pjsua_endpoint  # noqa: E402

ep = pjsua_endpoint.start()

registered = set()
generation = [0]


class Phone(pj.Account):
    def __init__(self, user):
        pj.Account.__init__(self)
        self.user = user

    def onRegState(self, prm):
        if prm.code == 200 and prm.expiration > 0:
            registered.add(self.user)
        elif prm.code >= 300:
            print("REGISTER_FAILED", self.user, prm.code, flush=True)


phones = []
for user, domain, password in agents:
    acfg = pj.AccountConfig()
    acfg.idUri = "sip:%s@%s" % (user, domain)
    acfg.regConfig.registrarUri = "sip:%s;transport=udp" % domain
    acfg.regConfig.timeoutSec = 3600
    acfg.regConfig.retryIntervalSec = 2
    acfg.sipConfig.proxies.append("sip:127.0.0.1:%d;lr" % port)
    acfg.sipConfig.contactForced = "<sip:%s@127.0.0.1:%d>" % (user, contact_port)
    acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", domain, user, 0, password))
    phone = Phone(user)
    phone.create(acfg)
    phones.append(phone)

announced = False
while True:
    ep.libHandleEvents(10)
    if not announced and len(registered) == len(phones):
        print("REGISTERED", len(registered), flush=True)
        announced = True
    if select.select([sys.stdin], [], [], 0)[0]:
        line = sys.stdin.readline()
        if not line:
            break
        if line.strip() == "REGISTER":
            registered.clear()
            announced = False
            for phone in phones:
                phone.setRegistration(True)
# Exit without unregistering: like a phone losing power, the bindings stay until they expire.
os._exit(0)
