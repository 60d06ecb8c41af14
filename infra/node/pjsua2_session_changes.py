#!/usr/bin/env python3
"""PJSIP (pjsua2) agent phone and caller that change the session mid-call (issue 14): session
timer refreshes, hold/resume from the caller's phone, DTMF by SIP INFO.

usage: pjsua2_session_changes.py <node_port> <domain> <agent_user> <agent_password> <did>
                                 <agent.wav> <caller.wav> <agent_rec.wav> <caller_rec.wav> <talk_seconds>

Like pjsua2_callcenter.py: the agent registers (REGISTERED), "CALL" on stdin makes the caller dial
<did>, the agent answers after 1 s, both play their WAV and record what they hear, and the caller
hangs up <talk_seconds> after the agent is connected (CALLER_HUNGUP, then DONE once the WAV files
are complete). Timing lines carry Unix seconds. Environment:

CC_TIMER=<s>        both accounts run RFC 4028 session timers with Session-Expires and Min-SE <s>
                    (90 is the smallest PJSIP and RFC 4028 allow): the caller asks for one in its
                    INVITE, the agent's phone adds one to its 200 (timer "always") and refreshes it. Every re-INVITE/UPDATE either
                    phone sends or receives after the call is up prints
                    "REFRESH <caller|agent> <uac|uas> <INVITE|UPDATE> <status> <t>".
CC_HOLD_AT=<s>      the caller's phone puts the call on hold (re-INVITE, a=sendonly) <s> after the
CC_RESUME_AT=<s>    agent is connected, and resumes it (a=sendrecv) at <s>: HOLD_SENT / RESUME_SENT,
                    and CALLER_MEDIA <status> <t> when its media state changes (1 active, 2 held).
CC_HOLD_QUEUED=1    the caller's phone holds while still queued instead: as soon as the agent's phone
                    rings (HOLD_SENT), and the agent answers only once the caller's phone is on hold
                    (its re-INVITE answered); CC_RESUME_AT still counts from the agent's connection.
CC_DTMF=<keys>      the caller presses <keys> CC_DTMF_DELAY (1) s after its call is connected, by
CC_DTMF_METHOD      "info" (INFO application/dtmf-relay), "rfc4733", or "both" (each key both ways).
AGENT_RECORDING <t> when the agent's recorder starts (sample 0 of <agent_rec.wav>).
"""
import os
import select
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
         "caller_confirmed": None, "agent_confirmed": None, "hangup_at": None, "done": False,
         "media": {}, "caller_held": False, "hold_sent": False}
timer = int(os.environ.get("CC_TIMER", "0"))


def say(*words):
    print(*words, flush=True)


def attach_media(call, name, play, record):
    """Connects the call's audio to one player and one recorder, made once per call; a re-INVITE
    may give the call a new stream, so connections are made again on every active media state."""
    info = call.getInfo()
    for i, media in enumerate(info.media):
        if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
            audio = call.getAudioMedia(i)
            if name not in state["media"]:
                player = pj.AudioMediaPlayer()
                player.createPlayer(play, 0)  # loop
                recorder = pj.AudioMediaRecorder()
                recorder.createRecorder(record)
                state["media"][name] = (player, recorder)
                if name == "agent":
                    say("AGENT_RECORDING", "%.3f" % time.time())
            player, recorder = state["media"][name]
            player.startTransmit(audio)
            audio.startTransmit(recorder)


def report_refresh(call, name, prm):
    """A re-INVITE or UPDATE after the call is up, with its final status."""
    if prm.e.type != pj.PJSIP_EVENT_TSX_STATE:
        return
    tsx = prm.e.body.tsxState.tsx
    if tsx.method not in ("INVITE", "UPDATE") or tsx.statusCode < 200:
        return
    # Once per transaction: a non-INVITE (and a failed INVITE) completes, a 2xx INVITE terminates.
    final = pj.PJSIP_TSX_STATE_TERMINATED if tsx.method == "INVITE" and tsx.statusCode < 300 else pj.PJSIP_TSX_STATE_COMPLETED
    if tsx.state != final:
        return
    confirmed = state["caller_confirmed"] if name == "caller" else state["agent_confirmed"]
    if confirmed is None:
        return  # the dialog-creating INVITE
    role = "uac" if tsx.role == pj.PJSIP_ROLE_UAC else "uas"
    say("REFRESH", name, role, tsx.method, tsx.statusCode, "%.3f" % time.time())


class AgentCall(pj.Call):
    def onCallState(self, prm):
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED and state["agent_confirmed"] is None:
            state["agent_confirmed"] = time.time()
            say("AGENT_CONFIRMED", "%.3f" % state["agent_confirmed"])
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            say("AGENT_DISCONNECTED", "%.3f" % time.time(), info.lastStatusCode, info.lastReason)

    def onCallMediaState(self, prm):
        attach_media(self, "agent", agent_wav, agent_rec)

    def onCallTsxState(self, prm):
        report_refresh(self, "agent", prm)


class CallerCall(pj.Call):
    def onCallState(self, prm):
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED and state["caller_confirmed"] is None:
            state["caller_confirmed"] = time.time()
            say("CALLER_CONFIRMED", "%.3f" % state["caller_confirmed"])
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            say("CALLER_DISCONNECTED", "%.3f" % time.time(), info.lastStatusCode, info.lastReason)
            state["done"] = True

    def onCallMediaState(self, prm):
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO:
                say("CALLER_MEDIA", media.status, "%.3f" % time.time())
                if media.status == pj.PJSUA_CALL_MEDIA_LOCAL_HOLD and not state["caller_held"]:
                    state["caller_held"] = True
                    if hold_queued:
                        state["answer_at"] = time.time()  # the agent answers a held caller
        attach_media(self, "caller", caller_wav, caller_rec)

    def onCallTsxState(self, prm):
        report_refresh(self, "caller", prm)


def timer_config(cfg, use):
    if timer:
        cfg.callConfig.timerUse = use
        cfg.callConfig.timerSessExpiresSec = timer
        cfg.callConfig.timerMinSESec = timer


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
        if not hold_queued:
            state["answer_at"] = time.time() + 1.0


agent = Agent()
acfg = pj.AccountConfig()
acfg.idUri = "sip:%s@%s" % (user, domain)
acfg.regConfig.registrarUri = "sip:%s;transport=udp" % domain
acfg.regConfig.timeoutSec = 300
acfg.sipConfig.proxies.append("sip:127.0.0.1:%d;lr" % port)
acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", domain, user, 0, password))
# The agent's phone runs a timer even though the node's INVITE asks for none (RFC 4028 §9 lets
# the UAS add one); PJSIP then names itself the refresher of that leg.
timer_config(acfg, pj.PJSUA_SIP_TIMER_ALWAYS)
agent.create(acfg)

caller = pj.Account()
ccfg = pj.AccountConfig()
# A host of its own, so pjsua hands the INVITE for "lina" to the agent account, not this one.
ccfg.idUri = "sip:+8613800138000@caller.test"
timer_config(ccfg, pj.PJSUA_SIP_TIMER_OPTIONAL)
caller.create(ccfg)

deadline = time.time() + talk + 60
called = False
dtmf = os.environ.get("CC_DTMF", "")
dtmf_method = os.environ.get("CC_DTMF_METHOD", "rfc4733")
dtmf_delay = float(os.environ.get("CC_DTMF_DELAY", "1"))
hold_at = float(os.environ.get("CC_HOLD_AT", "0"))
resume_at = float(os.environ.get("CC_RESUME_AT", "0"))
hold_queued = os.environ.get("CC_HOLD_QUEUED", "") == "1"


def send_dtmf(call, keys):
    if dtmf_method in ("rfc4733", "both"):
        call.dialDtmf(keys)
    if dtmf_method in ("info", "both"):
        prm = pj.CallSendDtmfParam()
        prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
        prm.digits = keys
        prm.duration = 160
        call.sendDtmf(prm)


while not state["done"] and time.time() < deadline:
    ep.libHandleEvents(10)
    now = time.time()
    if not called and select.select([sys.stdin], [], [], 0)[0]:
        line = sys.stdin.readline().strip()
        if line == "CALL":
            call = CallerCall(caller)
            state["caller_call"] = call
            call.makeCall("sip:%s@127.0.0.1:%d" % (did, port), pj.CallOpParam(True))
            say("CALLING", "%.3f" % now)
            called = True
    if dtmf and state["caller_confirmed"] is not None and now >= state["caller_confirmed"] + dtmf_delay:
        send_dtmf(state["caller_call"], dtmf)
        say("DTMF_SENT", "%.3f" % now, dtmf, dtmf_method)
        dtmf = ""
    if state["answer_at"] is not None and now >= state["answer_at"]:
        state["answer_at"] = None
        op = pj.CallOpParam()
        op.statusCode = 200
        state["agent_call"].answer(op)
    if hold_queued and not state["hold_sent"] and state["caller_confirmed"] is not None and state["agent_call"] is not None:
        state["hold_sent"] = True
        say("HOLD_SENT", "%.3f" % now)
        state["caller_call"].setHold(pj.CallOpParam(True))
    connected = state["agent_confirmed"]
    if hold_at and connected is not None and now >= connected + hold_at:
        hold_at = 0
        say("HOLD_SENT", "%.3f" % now)
        state["caller_call"].setHold(pj.CallOpParam(True))
    if resume_at and connected is not None and now >= connected + resume_at:
        resume_at = 0
        say("RESUME_SENT", "%.3f" % now)
        op = pj.CallOpParam(True)
        op.opt.flag = pj.PJSUA_CALL_UNHOLD
        state["caller_call"].reinvite(op)
    if connected is not None and state["hangup_at"] is None and now >= connected + talk:
        state["hangup_at"] = now
        say("CALLER_HUNGUP", "%.3f" % now)
        state["caller_call"].hangup(pj.CallOpParam())

for _ in range(50):
    ep.libHandleEvents(10)
state["media"] = {}
state["agent_call"] = None
state["caller_call"] = None
# The recorders write their WAV header (the data size) when they are destroyed: only after
# libDestroy are the files complete, so DONE comes last.
ep.libDestroy()
say("DONE")
