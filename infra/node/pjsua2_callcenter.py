#!/usr/bin/env python3
"""PJSIP (pjsua2) agent phone and caller for the media node's call-path test.

usage: pjsua2_callcenter.py <node_port> <domain> <agent_user> <agent_password> <did>
                            <agent.wav> <caller.wav> <agent_rec.wav> <caller_rec.wav> <talk_seconds>

1. The agent account registers at the node (digest auth under <domain>) and prints REGISTERED.
2. After the line "CALL" arrives on stdin, the caller account calls sip:<did>@127.0.0.1:<node_port>.
3. The agent phone auto-answers (after 1 s of ringing); both sides play their WAV and record.
4. <talk_seconds> after the agent phone is connected the caller hangs up; prints timing lines
   (CALLER_CONFIRMED <t>, AGENT_CONFIRMED <t>, CALLER_HUNGUP <t>, in Unix seconds) and DONE.

With CC_CALL_PORT=<port> the caller dials that port instead of <node_port> (another node, which
may redirect the call with 302: the caller follows it and prints REDIRECTED <target>).

With CC_HANGUP_AFTER=<seconds> the caller hangs up that long after its call is connected, whether
or not an agent answered (a caller leaving a voicemail or giving up in the queue).

With CC_DTMF=<keys> in the environment the caller presses those keys (RFC 4733 telephone-events)
CC_DTMF_DELAY seconds (default 1) after its call is connected, as a person answering an IVR menu
would, and prints DTMF_SENT <t>.
"""
import os
import sys
import time
import pjsua2 as pj

(port, domain, user, password, did, agent_wav, caller_wav, agent_rec, caller_rec, talk) = sys.argv[1:11]
port = int(port)
talk = float(talk)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pjsip"))
import pjsua_endpoint  # noqa: E402

ep = pjsua_endpoint.start()

state = {"registered": False, "agent_call": None, "caller_call": None, "answer_at": None,
         "caller_confirmed": None, "agent_confirmed": None, "hangup_at": None, "done": False, "keep": []}


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
            recorder = pj.AudioMediaRecorder()
            recorder.createRecorder(record)
            audio.startTransmit(recorder)
            state["keep"] += [player, recorder]


class AgentCall(pj.Call):
    def onCallState(self, prm):
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED and state["agent_confirmed"] is None:
            state["agent_confirmed"] = time.time()
            say("AGENT_CONFIRMED", "%.3f" % state["agent_confirmed"])
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            say("AGENT_DISCONNECTED", "%.3f" % time.time())

    def onCallMediaState(self, prm):
        attach_media(self, agent_wav, agent_rec)


class CallerCall(pj.Call):
    def onCallRedirected(self, prm):
        say("REDIRECTED", prm.targetUri)
        return pj.PJSIP_REDIRECT_ACCEPT

    def onCallState(self, prm):
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED and state["caller_confirmed"] is None:
            state["caller_confirmed"] = time.time()
            say("CALLER_CONFIRMED", "%.3f" % state["caller_confirmed"])
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            say("CALLER_DISCONNECTED", "%.3f" % time.time(), info.lastStatusCode)
            state["done"] = True

    def onCallMediaState(self, prm):
        attach_media(self, caller_wav, caller_rec)


class Agent(pj.Account):
    def onRegState(self, prm):
        if prm.code == 200 and not state["registered"]:
            state["registered"] = True
            say("REGISTERED")
        elif prm.code >= 300:
            say("REGISTER_FAILED", prm.code)

    def onIncomingCall(self, prm):
        call = AgentCall(self, prm.callId)
        state["agent_call"] = call
        say("AGENT_RINGING", "%.3f" % time.time())
        op = pj.CallOpParam()
        op.statusCode = 180
        call.answer(op)
        state["answer_at"] = time.time() + 1.0


agent = Agent()
acfg = pj.AccountConfig()
acfg.idUri = "sip:%s@%s" % (user, domain)
acfg.regConfig.registrarUri = "sip:%s;transport=udp" % domain
acfg.regConfig.timeoutSec = 300
acfg.sipConfig.proxies.append("sip:127.0.0.1:%d;lr" % port)
acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", domain, user, 0, password))
agent.create(acfg)

caller = pj.Account()
ccfg = pj.AccountConfig()
# A host of its own, so pjsua hands the INVITE for "lina" to the agent account, not this one.
ccfg.idUri = "sip:+8613800138000@caller.test"
caller.create(ccfg)

import select

deadline = time.time() + 60
called = False
dtmf = os.environ.get("CC_DTMF", "")
dtmf_delay = float(os.environ.get("CC_DTMF_DELAY", "1"))
hangup_after = float(os.environ.get("CC_HANGUP_AFTER", "0"))
while not state["done"] and time.time() < deadline:
    ep.libHandleEvents(10)
    if not called and select.select([sys.stdin], [], [], 0)[0]:
        line = sys.stdin.readline().strip()
        if line == "CALL":
            call = CallerCall(caller)
            state["caller_call"] = call
            call.makeCall("sip:%s@127.0.0.1:%d" % (did, int(os.environ.get("CC_CALL_PORT", port))), pj.CallOpParam(True))
            say("CALLING", "%.3f" % time.time())
            called = True
    if dtmf and state["caller_confirmed"] is not None and time.time() >= state["caller_confirmed"] + dtmf_delay:
        state["caller_call"].dialDtmf(dtmf)
        say("DTMF_SENT", "%.3f" % time.time(), dtmf)
        dtmf = ""
    if state["answer_at"] is not None and time.time() >= state["answer_at"]:
        state["answer_at"] = None
        op = pj.CallOpParam()
        op.statusCode = 200
        state["agent_call"].answer(op)
    if hangup_after and state["caller_confirmed"] is not None and state["hangup_at"] is None \
            and time.time() >= state["caller_confirmed"] + hangup_after:
        state["hangup_at"] = time.time()
        say("CALLER_HUNGUP", "%.3f" % state["hangup_at"])
        state["caller_call"].hangup(pj.CallOpParam())
    if state["agent_confirmed"] is not None and state["hangup_at"] is None \
            and time.time() >= state["agent_confirmed"] + talk:
        state["hangup_at"] = time.time()
        say("CALLER_HUNGUP", "%.3f" % state["hangup_at"])
        state["caller_call"].hangup(pj.CallOpParam())

for _ in range(50):
    ep.libHandleEvents(10)
state["keep"] = []
state["agent_call"] = None
state["caller_call"] = None
# The recorders write their WAV header (the data size) when they are destroyed: only after
# libDestroy are the files complete, so DONE comes last.
ep.libDestroy()
say("DONE")
