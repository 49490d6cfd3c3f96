"""The posture at a glance, in the editor: a CodeLens above each connection
element and each IPCONN or listener it reaches, and inlay hints with the
resolved value of ${variables} and the CICS listener a port matches.
Editor-neutral (spans and text); zcsec.lsp.glance turns them into LSP.

Secrets never appear: a lens says how a connection is secured, not with
what, and no hint is given for a value that is, or is built from, a secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..posture import Posture
from ..secrecy import VAR, is_secret_attr, secret_variables
from ..text import Span
from ..workspace import Workspace, norm
from .navigation import config_postures

_MAX_HINT = 60


@dataclass(frozen=True, slots=True)
class Lens:
    span: Span  # where it sits (the element or definition name)
    title: str
    connection: str | None  # the id of the server.xml connection it describes


@dataclass(frozen=True, slots=True)
class Hint:
    offset: int  # placed after this offset
    label: str
    tooltip: str | None = None


def lenses(ws: Workspace, path: str) -> list[Lens]:
    """One lens per connection element in ``path`` (a server.xml), and one
    per IPCONN or TCPIPSERVICE in ``path`` (a CSD file) that a connection reaches."""
    p = norm(path)
    out: list[Lens] = []
    for posture in config_postures(ws):
        if posture.element.path == p:
            out.append(Lens(posture.element.element.name_span, posture.one_line(), posture.id))
        side = posture.cics
        if side is None:
            continue
        for cmd, cmd_path in ((side.ipconn, side.ipconn_path), (side.service, side.service_path)):
            if cmd is not None and cmd_path == p and cmd.name_span is not None:
                out.append(Lens(cmd.name_span, f"from z/OS Connect connection '{posture.id}': {posture.one_line()}", posture.id))
    return sorted(set(out), key=lambda lens: (lens.span, lens.title))


def hints(ws: Workspace, path: str, start: int = 0, end: int | None = None) -> list[Hint]:
    """Inlay hints for the Liberty file ``path`` between offsets ``start`` and ``end``."""
    p = norm(path)
    out: list[Hint] = []
    for cfg in ws.configs:
        if p not in cfg.files:
            continue
        secrets = secret_variables(cfg)
        for ce in cfg.in_file(p):
            for attr in ce.element.attributes:
                a, b = attr.value_span
                if b < start or (end is not None and a > end):
                    continue
                if "${" in attr.value and not is_secret_attr(ce, attr.name) and not _uses(attr.value, secrets):
                    resolved = cfg.resolve(attr.value)
                    if resolved is not None and resolved != attr.value:
                        shown = resolved if len(resolved) <= _MAX_HINT else resolved[: _MAX_HINT - 1] + "…"
                        out.append(Hint(_after(attr), f"= {shown}", f"{attr.value} resolves to {resolved}"))
            if ce.name == "zosconnect_cicsIpicConnection":
                out.extend(_port_hint(ws, ce, start, end))
        break
    return sorted(out, key=lambda h: h.offset)


def _uses(value: str, names: set[str]) -> bool:
    return any(m.group(1).strip() in names for m in VAR.finditer(value))


def _port_hint(ws: Workspace, ce, start: int, end: int | None) -> list[Hint]:
    attr = ce.element.get("port")
    if attr is None or attr.value_span[1] < start or (end is not None and attr.value_span[0] > end):
        return []
    posture: Posture | None = next((p for p in config_postures(ws) if p.element is ce), None)
    side = posture.cics if posture is not None else None
    if side is None or side.service is None:
        return []
    label = f"→ TCPIPSERVICE {side.service.name}"
    if side.ipconn is not None:
        label += f", IPCONN {side.ipconn.name}" + (" (assumed)" if side.assumed else "")
    elif side.autoinstall:
        label += ", IPCONN autoinstalled"
    return [Hint(_after(attr), label, side.summary)]


def _after(attr) -> int:
    """Just after the value, past its closing quote."""
    return attr.value_span[1] + (1 if attr.quoted else 0)
