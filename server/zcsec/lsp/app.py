"""Builds the language server: one factory, and every feature module
registers its own handlers on the server it is given.  No feature module
imports this one, so each can be imported (and tested) on its own."""

from __future__ import annotations

import gc

from . import actions, commands, completion, documents, glance, hover, navigation
from .server import ZcsecServer

# Each module exposes ``register(server)``; the order does not matter.
FEATURES = (documents, commands, hover, navigation, completion, actions, glance)


def create_server() -> ZcsecServer:
    server = ZcsecServer()
    for feature in FEATURES:
        feature.register(server)
    return server


def start(tcp: str | None = None) -> None:
    server = create_server()
    # Everything imported so far lives as long as the server: keep it out of
    # the collector's way, and collect young objects less often, so that the
    # parse trees an edit replaces do not trigger frequent full collections.
    # Full collections come after analyses instead (ZcsecServer.collect_garbage).
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
