#!/usr/bin/env python3
"""PJSIP (pjsua2) agent phones and a caller for the media node's ring-all test.

usage: pjsua2_ring_all.py <node_port> <domain> <did> <user:password,...> <answerers> <agent.wav> <caller.wav>
                          <agent_rec.wav> <caller_rec.wav> <talk_seconds>

1. One account per agent registers at the node (digest auth under <domain>); REGISTERED <user>
   for each, then READY.
2. Each line "CALL" on stdin places one call (one at a time): the caller dials
   sip:<did>@127.0.0.1:<node_port>. Every agent phone it reaches rings (180) and prints
   RINGING <n> <user> <t>; for call n the phone of the n-th user named in <answerers> (a comma
   list, one user per call) answers after 1 s of ringing; the others never answer and print
   ENDED <n> <user> <status> when their INVITE ends (487 after the node's CANCEL).
3. The answering phone and the caller play their WAV; during call 1 both record (the answering
   agent to <agent_rec.wav>, the caller to <caller_rec.wav>; complete at CALL_DONE 1). <talk_seconds> after the agent
   phone is connected the caller hangs up: AGENT_CONFIRMED <n> <user> <t>, CALLER_HUNGUP <n> <t>,
   then CALL_DONE <n> once the caller's and every agent's call of that call have ended.
4. "QUIT" on stdin (or 90 s) ends the endpoint; DONE comes last (the WAV files are complete then).
"""
import os
import select
import sys
import time

import pjsua2 as pj

(port, domain, did, users, answerers, agent_wav, caller_wav, agent_rec, caller_rec, talk) = sys.argv[1:11]
port = int(port)
talk = float(talk)
users = [u.split(":", 1) for u in users.split(",")]
answerers = answerers.split(",")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pjsip"))
import pjsua_endpoint  # noqa: E402

ep = pjsua_endpoint.start()
state = {"call": 0, "caller_call": None, "agent_calls": [], "answer": None, "agent_confirmed": None,
         "hangup_at": None, "caller_ended": False, "keep": [], "recorders": [], "registered": set(), "quit": False}


def say(*words):
    print(*words, flush=True)


def attach_media(call, play, record):
    info = call.getInfo()
    for i, media in enumerate(info.media):
        if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
            audio = call.getAudioMedia(i)
            player = pj.AudioMediaPlayer()
            player.createPlayer(play, 0)  # loop
            player.startTransmit(audio)
            state["keep"].append(player)
            if state["call"] == 1:
                recorder = pj.AudioMediaRecorder()
                recorder.createRecorder(record)
                audio.startTransmit(recorder)
                state["recorders"].append(recorder)


class AgentCall(pj.Call):
    def __init__(self, account, call_id, user):
        pj.Call.__init__(self, account, call_id)
        self.user = user
        self.number = state["call"]
        self.ended = False

    def onCallState(self, prm):
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED and state["agent_confirmed"] is None:
            state["agent_confirmed"] = time.time()
            say("AGENT_CONFIRMED", self.number, self.user, "%.3f" % state["agent_confirmed"])
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.ended = True
            say("ENDED", self.number, self.user, info.lastStatusCode)

    def onCallMediaState(self, prm):
        attach_media(self, agent_wav, agent_rec)


class CallerCall(pj.Call):
    def onCallState(self, prm):
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            say("CALLER_DISCONNECTED", state["call"], "%.3f" % time.time(), info.lastStatusCode)
            state["caller_ended"] = True

    def onCallMediaState(self, prm):
        attach_media(self, caller_wav, caller_rec)


class Agent(pj.Account):
    def __init__(self, user):
        pj.Account.__init__(self)
        self.user = user

    def onRegState(self, prm):
        if prm.code == 200 and self.user not in state["registered"]:
            state["registered"].add(self.user)
            say("REGISTERED", self.user)
            if len(state["registered"]) == len(users):
                say("READY")
        elif prm.code >= 300:
            say("REGISTER_FAILED", self.user, prm.code)

    def onIncomingCall(self, prm):
        call = AgentCall(self, prm.callId, self.user)
        state["agent_calls"].append(call)
        say("RINGING", state["call"], self.user, "%.3f" % time.time())
        op = pj.CallOpParam()
        op.statusCode = 180
        call.answer(op)
        if state["call"] <= len(answerers) and answerers[state["call"] - 1] == self.user:
            state["answer"] = (call, time.time() + 1.0)


agents = []
for user, password in users:
    account = Agent(user)
    cfg = pj.AccountConfig()
    cfg.idUri = "sip:%s@%s" % (user, domain)
    cfg.regConfig.registrarUri = "sip:%s;transport=udp" % domain
    cfg.regConfig.timeoutSec = 300
    cfg.sipConfig.proxies.append("sip:127.0.0.1:%d;lr" % port)
    cfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", domain, user, 0, password))
    account.create(cfg)
    agents.append(account)

caller = pj.Account()
ccfg = pj.AccountConfig()
# A host of its own, so pjsua hands the node's INVITEs to the agents' accounts, not this one.
ccfg.idUri = "sip:+8613800138000@caller.test"
caller.create(ccfg)

deadline = time.time() + 90
while not state["quit"] and time.time() < deadline:
    ep.libHandleEvents(10)
    if select.select([sys.stdin], [], [], 0)[0]:
        line = sys.stdin.readline().strip()
        if line == "CALL":
            state.update(call=state["call"] + 1, agent_calls=[], answer=None, agent_confirmed=None, hangup_at=None,
                         caller_ended=False)
            call = CallerCall(caller)
            state["caller_call"] = call
            call.makeCall("sip:%s@127.0.0.1:%d" % (did, port), pj.CallOpParam(True))
            say("CALLING", state["call"], "%.3f" % time.time())
        elif line == "QUIT" or line == "":
            state["quit"] = True
    if state["answer"] is not None and time.time() >= state["answer"][1]:
        call = state["answer"][0]
        state["answer"] = None
        op = pj.CallOpParam()
        op.statusCode = 200
        call.answer(op)
    if state["agent_confirmed"] is not None and state["hangup_at"] is None \
            and time.time() >= state["agent_confirmed"] + talk:
        state["hangup_at"] = time.time()
        say("CALLER_HUNGUP", state["call"], "%.3f" % state["hangup_at"])
        state["caller_call"].hangup(pj.CallOpParam())
    if state["caller_call"] is not None and state["caller_ended"] and all(c.ended for c in state["agent_calls"]):
        # A recorder writes its WAV header (the data size) when it is destroyed: call 1's files are
        # complete once its recorders are gone, and nothing of later calls is appended.
        state["recorders"] = []
        say("CALL_DONE", state["call"])
        state["caller_call"] = None

for _ in range(50):
    ep.libHandleEvents(10)
state["keep"] = []
state["recorders"] = []
state["agent_calls"] = []
state["caller_call"] = None
# The recorders write their WAV header (the data size) when they are destroyed: only after
# libDestroy are the files complete, so DONE comes last.
ep.libDestroy()
say("DONE")
