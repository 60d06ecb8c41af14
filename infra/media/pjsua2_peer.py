#!/usr/bin/env python3
"""A PJSIP (pjsua2) phone used as an independent media peer by MediaEngineTests.

Listens on 127.0.0.1:<port>, answers one call with G.711 (PCMU preferred), plays
<play.wav> into it, records what it hears to <record.wav>, and exits when the call ends.
Prints READY once it listens and DONE after the recorder is closed.
"""
import os
import sys
import pjsua2 as pj

port, play_path, record_path, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pjsip"))
import pjsua_endpoint  # noqa: E402

ep = pjsua_endpoint.start(port)

state = {"call": None, "player": None, "recorder": None, "done": False}


class Call(pj.Call):
    def onCallState(self, prm):
        if self.getInfo().state == pj.PJSIP_INV_STATE_DISCONNECTED:
            state["done"] = True

    def onCallMediaState(self, prm):
        info = self.getInfo()
        for i, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(i)
                if state["player"] is None:
                    player = pj.AudioMediaPlayer()
                    player.createPlayer(play_path, pj.PJMEDIA_FILE_NO_LOOP)
                    player.startTransmit(audio)
                    state["player"] = player
                if state["recorder"] is None:
                    recorder = pj.AudioMediaRecorder()
                    recorder.createRecorder(record_path)
                    audio.startTransmit(recorder)
                    state["recorder"] = recorder


class Account(pj.Account):
    def onIncomingCall(self, prm):
        call = Call(self, prm.callId)
        state["call"] = call
        op = pj.CallOpParam()
        op.statusCode = 200
        call.answer(op)


account = Account()
acfg = pj.AccountConfig()
acfg.idUri = "sip:peer@127.0.0.1:%d" % port
account.create(acfg)
print("READY", flush=True)

elapsed = 0.0
while not state["done"] and elapsed < limit:
    ep.libHandleEvents(20)
    elapsed += 0.02
state["recorder"] = None  # closes the WAV file
state["player"] = None
state["call"] = None
print("DONE", flush=True)
ep.libDestroy()
