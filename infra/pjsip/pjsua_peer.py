#!/usr/bin/env python3
"""A PJSIP (pjsua2) peer for the SIP stack's interop tests.

Registers with digest auth at our registrar, then either calls `--call URI` (answered, held with a
re-INVITE, resumed, hung up) or waits to be called (`--answer`: answers, reports re-INVITEs, waits
for our BYE). Prints one event per line on stdout; the Swift test waits on those lines.

  pjsua_peer.py --registrar sip:127.0.0.1:5060 --user alice --password pw --domain example.com
                [--call sip:agent@127.0.0.1:5060 | --answer] [--timeout 30]
"""
import argparse
import sys
import time

import pjsua2 as pj


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Call(pj.Call):
    def __init__(self, acc, call_id=pj.PJSUA_INVALID_ID):
        pj.Call.__init__(self, acc, call_id)
        self.state = None
        self.media_events = 0

    def onCallState(self, prm):
        ci = self.getInfo()
        self.state = ci.state
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED:
            emit("CONFIRMED")
        elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            emit("DISCONNECTED %d" % ci.lastStatusCode)

    def onCallMediaState(self, prm):
        self.media_events += 1
        ci = self.getInfo()
        for mi in ci.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO:
                emit("MEDIA %s" % {pj.PJSUA_CALL_MEDIA_ACTIVE: "active", pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: "local-hold",
                                   pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: "remote-hold", pj.PJSUA_CALL_MEDIA_NONE: "none",
                                   pj.PJSUA_CALL_MEDIA_ERROR: "error"}.get(mi.status, str(mi.status)))


class Account(pj.Account):
    def __init__(self):
        pj.Account.__init__(self)
        self.registered = None
        self.incoming = None

    def onRegState(self, prm):
        self.registered = prm.code
        emit("REGISTER %d" % prm.code)

    def onIncomingCall(self, prm):
        call = Call(self, prm.callId)
        self.incoming = call
        emit("INCOMING")
        op = pj.CallOpParam()
        op.statusCode = 200
        call.answer(op)


def pump(ep, until, timeout):
    deadline = time.time() + timeout
    while not until():
        if time.time() > deadline:
            emit("TIMEOUT")
            return False
        ep.libHandleEvents(20)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registrar", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--domain", required=True)
    ap.add_argument("--call")
    ap.add_argument("--answer", action="store_true")
    ap.add_argument("--timeout", type=float, default=30)
    args = ap.parse_args()

    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = int(__import__("os").environ.get("PJ_LOG", "1"))
    cfg.logConfig.consoleLevel = int(__import__("os").environ.get("PJ_LOG", "1"))
    ep.libInit(cfg)
    tcfg = pj.TransportConfig()
    tcfg.port = 0
    tcfg.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
    ep.libStart()
    ep.audDevManager().setNullDev()

    acfg = pj.AccountConfig()
    acfg.idUri = "sip:%s@%s" % (args.user, args.domain)
    acfg.regConfig.registrarUri = args.registrar
    acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", args.user, 0, args.password))
    acfg.natConfig.contactRewriteUse = 0
    acc = Account()
    acc.create(acfg)
    ok = pump(ep, lambda: acc.registered is not None, args.timeout)
    if not ok or acc.registered != 200:
        emit("FAILED register")
        ep.libDestroy()
        return 1

    if args.call:
        call = Call(acc)
        call.makeCall(args.call, pj.CallOpParam(True))
        if not pump(ep, lambda: call.state == pj.PJSIP_INV_STATE_CONFIRMED, args.timeout):
            return 1
        before = call.media_events
        call.setHold(pj.CallOpParam(True))
        pump(ep, lambda: call.media_events > before, args.timeout)
        emit("HELD")
        before = call.media_events
        op = pj.CallOpParam(True)  # keep the call's media settings (audio count 1)
        op.opt.flag = pj.PJSUA_CALL_UNHOLD
        call.reinvite(op)
        pump(ep, lambda: call.media_events > before, args.timeout)
        emit("RESUMED")
        call.hangup(pj.CallOpParam())
        pump(ep, lambda: call.state == pj.PJSIP_INV_STATE_DISCONNECTED, args.timeout)
        del call
    elif args.answer:
        emit("READY")
        pump(ep, lambda: acc.incoming is not None and acc.incoming.state == pj.PJSIP_INV_STATE_DISCONNECTED, args.timeout)
        acc.incoming = None

    acc.shutdown()
    del acc
    ep.libDestroy()
    emit("DONE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
