"""The pjsua2 endpoint every test peer here starts the same way: one thread (events are handled by
the script's own loop), no sound device, 8 kHz G.711 preferred (PCMU, then PCMA), one UDP
transport on 127.0.0.1. PJ_LOG_LEVEL and PJ_LOG_FILE in the environment raise or redirect
PJSIP's log while debugging.

Scripts in other folders import it with:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pjsip"))
"""
import os

import pjsua2 as pj


def start(port=0):
    """Creates, initialises and starts the endpoint; returns it."""
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = int(os.environ.get("PJ_LOG_LEVEL", "1"))
    cfg.logConfig.consoleLevel = 1
    if os.environ.get("PJ_LOG_FILE"):
        cfg.logConfig.filename = os.environ["PJ_LOG_FILE"]
    cfg.medConfig.clockRate = 8000
    cfg.medConfig.sndClockRate = 8000
    cfg.medConfig.noVad = True
    ep.libInit(cfg)
    ep.audDevManager().setNullDev()
    transport = pj.TransportConfig()
    transport.port = port
    transport.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    ep.libStart()
    for codec in ep.codecEnum2():
        ep.codecSetPriority(codec.codecId, {"PCMU/8000/1": 255, "PCMA/8000/1": 254}.get(codec.codecId, 0))
    return ep
