"""The effective security posture of every connection from the z/OS Connect
server to a system of record.

One model per connection, computed from the merged Liberty configuration,
the CSD definitions of the workspace and the facts of .zcsec.toml.  The
security rules, the hover text of the language server and ``zcsec posture``
all read it, so they always agree.
"""

from __future__ import annotations

import re
from bisect import insort
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from . import tls
from .csdparse import CsdCommand
from .project import ProjectConfig
from .reads import isolated, note, replay
from .workspace import ConfigElement, CsdModel, Delta, LibertyConfig, Workspace
from .xmlparse import Element

CONNECTION_ELEMENTS = {
    "zosconnect_cicsIpicConnection": "cics",
    "imsmobile_imsConnection": "ims",
    "zosconnect_imsConnection": "ims",
    "zosconnect_zosConnectServiceRestClientConnection": "rest",
    "zosconnect_db2Connection": "rest",
    "zosconnect_endpointConnection": "rest",
    "jmsConnectionFactory": "mq",
    "zosconnect_localAdaptersConnectService": "wola",
}
PROVIDER_NAMES = {"cics": "CICS (IPIC)", "ims": "IMS", "imsdb": "IMS database", "mq": "IBM MQ", "rest": "REST / Db2", "wola": "WOLA"}
_ENCODED = re.compile(r"^\{(xor|aes|hash)\}", re.IGNORECASE)


@dataclass(slots=True, eq=False)
class CicsSide:
    """What the workspace's CSD says about the CICS end of an IPIC connection."""

    service: CsdCommand | None = None
    service_path: str | None = None
    services_on_port: list[CsdCommand] = field(default_factory=list)
    non_ipic_on_port: list[CsdCommand] = field(default_factory=list)
    ipconn: CsdCommand | None = None
    ipconn_path: str | None = None
    autoinstall: bool = False  # no predefined IPCONN matches; one would be autoinstalled
    assumed: bool = False  # no APPLID is sent; ipconn is the only IPCONN on the listener, the likely intent

    @property
    def ssl(self) -> str:
        return (self.service.upper("SSL") or "NO") if self.service is not None else "?"

    @property
    def summary(self) -> str | None:
        """The CICS end in one line (the posture table and the VS Code view)."""
        parts = []
        if self.service is not None:
            parts.append(f"TCPIPSERVICE {self.service.name} SSL({self.ssl})")
        if self.ipconn is not None:
            parts.append(f"IPCONN {self.ipconn.name} USERAUTH({self.userauth}) LINKAUTH({self.linkauth})")
        elif self.autoinstall:
            parts.append("IPCONN autoinstalled (default security)")
        return "; ".join(parts) or None

    @property
    def userauth(self) -> str | None:
        if self.ipconn is not None:
            return self.ipconn.upper("USERAUTH", "LOCAL")
        if self.autoinstall:
            return "LOCAL"
        return None

    @property
    def linkauth(self) -> str | None:
        if self.ipconn is not None:
            return self.ipconn.upper("LINKAUTH", "SECUSER")
        if self.autoinstall:
            return "SECUSER"
        return None


@dataclass(slots=True, eq=False)
class Caller:
    """Who the caller of a connection is: how z/OS Connect authenticates the
    client whose request goes on to the system of record."""

    kind: str  # authenticated, anonymous, zos-program (API requester), unknown
    registry: str | None  # saf, ldap, basic, federated, custom, none, or None when not known
    summary: str  # one line, for tables and CodeLens-like views
    detail: str  # how it was established
    http_allowed: bool = False  # requireSecure="false"

    def to_json(self) -> dict:
        return {"kind": self.kind, "registry": self.registry, "summary": self.summary, "detail": self.detail, "httpAllowed": self.http_allowed}


_TRANSPORT_WORDS = {"tls": "TLS", "at-tls": "AT-TLS", "none": "plain TCP", "local": "local (cross-memory)", "unknown": "transport unknown"}
_IDENTITY_WORDS = {
    "none": "no credentials",
    "fixed-credentials": "fixed credentials",
    "asserted-caller": "caller's ID asserted",
    "passticket": "PassTicket",
    "distributed-identity": "distributed identity",
    "caller-credentials": "caller's credentials",
    "unknown": "identity unknown",
}


@dataclass(slots=True, eq=False)
class Posture:
    provider: str
    element: ConfigElement
    config: LibertyConfig
    id: str | None
    target: str
    transport: str  # none, tls, at-tls, unknown
    transport_detail: str
    bind: str  # client-certificate, none, unknown
    link_user: str | None
    identity: str  # none, fixed-credentials, asserted-caller, passticket, distributed-identity, caller-credentials, unknown
    identity_detail: str
    unknowns: list[str] = field(default_factory=list)
    cics: CicsSide | None = None
    ssl: ConfigElement | None = None
    credentials: ConfigElement | None = None  # the auth data element in use
    caller: Caller | None = None  # who calls: set for every posture by postures()
    tls_floor: str | None = None  # the weakest protocol and suite each TLS end allows: set by postures()

    @property
    def provider_name(self) -> str:
        return PROVIDER_NAMES.get(self.provider, self.provider)

    @property
    def propagates_caller(self) -> bool:
        """Whether the system of record receives the caller's own identity
        (asserted, as a PassTicket for the caller, or as a distributed identity)."""
        if self.identity in ("asserted-caller", "distributed-identity"):
            return True
        return self.identity == "passticket" and "authenticated caller" in self.identity_detail

    @property
    def link_short(self) -> str | None:
        """The link user in a word or two (tables, CodeLens)."""
        if self.link_user is None:
            return None
        if "certificate" in self.link_user:
            return "certificate"
        if "default user" in self.link_user:
            return "default user"
        return self.link_user.split(" (")[0]

    def weaknesses(self) -> list[str]:
        """What makes this connection weak, in a few words each (the
        posture picture colours its edge by them)."""
        out = []
        if self.transport == "none":
            out.append("plain text on the network")
        if self.caller is not None and self.caller.kind == "anonymous":
            out.append("callers need not authenticate")
        if self.identity == "none":
            out.append("no identity reaches the system of record")
        if self.link_short == "default user":
            out.append("runs under the region's default user")
        return out

    @property
    def strength(self) -> str:
        """weak, unknown or sound: the colour of the connection in the posture picture."""
        if self.weaknesses():
            return "weak"
        return "unknown" if self.unknowns or self.transport == "unknown" or self.identity == "unknown" else "sound"

    def one_line(self) -> str:
        """The effective security in one line, as a CodeLens shows it; no
        secret is ever part of a posture."""
        transport = _TRANSPORT_WORDS.get(self.transport, self.transport)
        if self.bind == "client-certificate":
            transport += " + client cert"
        parts = [transport]
        if self.provider == "cics" and self.link_short and not self.link_short.startswith("none"):
            parts.append(f"link {self.link_short}")
        parts.append(_IDENTITY_WORDS.get(self.identity, self.identity))
        if self.caller is not None and self.caller.kind == "anonymous":
            parts.append("anyone may call")
        return " · ".join(parts)

    def to_json(self) -> dict:
        out = {
            "provider": self.provider,
            "element": self.element.name,
            "id": self.id,
            "file": self.element.path,
            "target": self.target,
            "transport": self.transport,
            "transportDetail": self.transport_detail,
            "bind": self.bind,
            "linkUser": self.link_user,
            "identity": self.identity,
            "identityDetail": self.identity_detail,
            "unknowns": list(self.unknowns),
            "caller": self.caller.to_json() if self.caller is not None else None,
            "tlsFloor": self.tls_floor,
        }
        if self.cics is not None:
            out["cics"] = {
                "tcpipservice": self.cics.service.name if self.cics.service is not None else None,
                "tcpipserviceFile": self.cics.service_path,
                "ipconn": self.cics.ipconn.name if self.cics.ipconn is not None else None,
                "ipconnFile": self.cics.ipconn_path,
                "autoinstall": self.cics.autoinstall,
                "ssl": self.cics.ssl if self.cics.service is not None else None,
                "userauth": self.cics.userauth,
                "linkauth": self.cics.linkauth,
            }
        return out


def resolve_ref(cfg: LibertyConfig, ce: ConfigElement, attr: str, types: tuple[str, ...]) -> ConfigElement | None:
    """The element a *Ref attribute points at, or a nested element of one of
    ``types`` (Liberty lets a referenced element be written in place)."""
    value = ce.element.value(attr)
    if value is not None:
        resolved = cfg.resolve(value.strip())
        if resolved:
            found = cfg.find(resolved, types)
            if found:
                return found[-1]
        return None
    for nested in cfg.children(ce):
        if nested.name in types:
            return nested
    return None


def value_of(cfg: LibertyConfig, ce: ConfigElement | None, attr: str) -> str | None:
    if ce is None:
        return None
    raw = ce.element.value(attr)
    if raw is None and ce.parent is None and ce.id and cfg.default_instance(ce.id, (ce.name,)):
        # An element written with the id of one of Liberty's own instances
        # merges with it: <ssl id="defaultSSLConfig"> has its keyStoreRef.
        raw = cfg.catalogue.liberty.default_instances[ce.id]["attributes"].get(attr)
    if raw is None:
        return None
    resolved = cfg.resolve(raw)
    return resolved.strip() if resolved is not None else None


def child(cfg: LibertyConfig, ce: ConfigElement | None, name: str) -> ConfigElement | None:
    if ce is None:
        return None
    found = cfg.children(ce, name)
    return found[0] if found else None


def cics_side(ws: Workspace, cfg: LibertyConfig, ce: ConfigElement) -> CicsSide:
    model: CsdModel = ws.csd
    side = CicsSide()
    port_text = value_of(cfg, ce, "port")
    port = int(port_text) if port_text and port_text.isdigit() else None
    if port is not None:
        side.services_on_port = model.ipic_services_on_port(port)
        ipic = {id(c) for c in side.services_on_port}
        side.non_ipic_on_port = [c for c in model.on_port(port) if id(c) not in ipic]
    if side.services_on_port:
        side.service = side.services_on_port[-1]
        side.service_path = model.path_of(side.service)
    applid = value_of(cfg, ce, "zosConnectApplid")
    netid = value_of(cfg, ce, "zosConnectNetworkid")
    ipconn = None
    if applid:
        matches = model.ipconns_by_applid(applid, netid)
        if side.service is not None:
            on_service = [m for m in matches if (m.upper("TCPIPSERVICE") or "") == (side.service.name or "").upper()]
            matches = on_service or matches
        ipconn = matches[-1] if matches else None
    elif side.service is not None and side.service.upper("URM", "DFHISAIP") == "NO":
        # Without an APPLID, CICS can match no predefined IPCONN, and URM(NO)
        # autoinstalls none.  When exactly one IPCONN uses the listener it is
        # the likely intent: the connection is checked against it.
        on_listener = model.ipconns_for_service(side.service)
        if len(on_listener) == 1:
            ipconn, side.assumed = on_listener[0], True
    if ipconn is not None:
        side.ipconn = ipconn
        side.ipconn_path = model.path_of(ipconn)
    elif side.service is not None:
        urm = side.service.upper("URM", "DFHISAIP")
        side.autoinstall = urm != "NO"
    return side


def cics_posture(ws: Workspace, cfg: LibertyConfig, ce: ConfigElement) -> Posture:  # noqa: C901 - the CICS posture reads both ends of the link; split, it would pass a dozen values around
    project = ws.project
    cid = ce.id
    host = value_of(cfg, ce, "host") or "?"
    port = value_of(cfg, ce, "port") or "?"
    unknowns: list[str] = []
    ssl = resolve_ref(cfg, ce, "sslCertsRef", ("ssl",))
    side = cics_side(ws, cfg, ce)
    at_tls = project.fact("at_tls", cid, host)
    if ssl is not None:
        transport, detail = "tls", f"TLS by Liberty with <ssl id=\"{ssl.id}\">" + _keystore_note(cfg, ssl)
    elif _tls_meant(cfg, ce):
        transport, detail = "unknown", _tls_meant(cfg, ce)
    elif at_tls:
        transport, detail = "at-tls", "AT-TLS (stated in .zcsec.toml)"
    elif at_tls is False:
        transport, detail = "none", "plain TCP: no sslCertsRef and no AT-TLS"
    else:
        transport, detail = "none", "no sslCertsRef; plain TCP unless an AT-TLS policy covers it"
        unknowns.append("whether an AT-TLS policy protects this connection (facts.at_tls)")
    if side.service is None:
        unknowns.append("the CICS TCPIPSERVICE for this port (no IPIC listener on it in the workspace's CSD)")
    if side.service is not None and side.service.upper("SSL") == "CLIENTAUTH" and ssl is not None:
        bind = "client-certificate"
    elif side.service is None:
        bind = "unknown"
    else:
        bind = "none"
    link_user: str | None
    if side.ipconn is None and not side.autoinstall:
        link_user = None
        if side.service is not None:
            unknowns.append("the IPCONN CICS uses for this connection")
    elif side.linkauth == "CERTUSER" and bind == "none":
        # No client certificate reaches CICS (no sslCertsRef, AT-TLS, or not SSL(CLIENTAUTH)).
        link_user = "none established (LINKAUTH(CERTUSER) without TLS client authentication)"
    elif side.linkauth == "CERTUSER":
        link_user = "the RACF user mapped from z/OS Connect's client certificate"
    else:
        name = side.ipconn.value("SECURITYNAME") if side.ipconn is not None else None
        link_user = f"SECURITYNAME {name.upper()}" if name else "the CICS region's default user (blank SECURITYNAME)"
        if side.autoinstall:
            link_user += " (autoinstalled IPCONN with default security)"
    creds = resolve_ref(cfg, ce, "authDataRef", ("zosconnect_authData",))
    userauth = side.userauth
    if userauth == "VERIFY":
        identity, idetail = ("fixed-credentials", f"user ID and password from <zosconnect_authData id=\"{creds.id}\">") if creds is not None else ("none", "none: CICS requires user ID and password (USERAUTH(VERIFY)) but no authDataRef is set")
    elif userauth == "IDENTIFY":
        identity, idetail = "asserted-caller", "the authenticated caller's user ID, asserted without a password (USERAUTH(IDENTIFY))"
    elif userauth in ("LOCAL", "DEFAULTUSER"):
        identity = "none"
        idetail = "none: requests run under the link user" if userauth == "LOCAL" else "none: requests run under the CICS default user"
        if creds is not None:
            idetail += f"; the credentials of <zosconnect_authData id=\"{creds.id}\"> are sent but not used"
    elif creds is not None:
        identity, idetail = "fixed-credentials", f"user ID and password from <zosconnect_authData id=\"{creds.id}\">"
    elif value_of(cfg, ce, "zosConnectApplid"):
        identity, idetail = "asserted-caller", "the authenticated caller (identity propagation via zosConnectApplid)"
    else:
        identity, idetail = "unknown", "depends on the IPCONN's USERAUTH, which is not in the workspace"
    if userauth is None:
        unknowns.append("the IPCONN's USERAUTH")
    return Posture("cics", ce, cfg, cid, f"{host}:{port}", transport, detail, bind, link_user, identity, idetail, unknowns, side, ssl, creds)


def _keystore_note(cfg: LibertyConfig, ssl: ConfigElement) -> str:
    ks = resolve_ref(cfg, ssl, "keyStoreRef", ("keyStore",))
    if ks is None:
        return ""
    loc = value_of(cfg, ks, "location") or ""
    kind = "SAF key ring" if loc.lower().startswith("safkeyring:") else "keystore"
    return f", {kind} <keyStore id=\"{ks.id}\">"


def _auth_data_identity(cfg: LibertyConfig, cf: ConfigElement | None) -> tuple[ConfigElement | None, str]:
    """The container auth data of a connection factory, and how it reads
    ("" when there is none)."""
    if cf is None:
        return None, ""
    ad = resolve_ref(cfg, cf, "containerAuthDataRef", ("authData",))
    return ad, (f"user ID and password from <authData id=\"{ad.id}\">" if ad is not None else "")


def _at_tls_transport(project: ProjectConfig, ident: str | None, host: str, why: str, unknowns: list[str]) -> tuple[str, str]:
    """The transport of a link whose TLS can only come from AT-TLS, as far
    as .zcsec.toml says (facts.at_tls); an open question goes to ``unknowns``."""
    at_tls = project.fact("at_tls", ident, host)
    if at_tls is False:
        return "none", "plain TCP (.zcsec.toml says no AT-TLS)"
    if at_tls:
        return "at-tls", "AT-TLS (stated in .zcsec.toml)"
    unknowns.append("whether the AT-TLS policy is in place (facts.at_tls)")
    return "at-tls", f"AT-TLS expected: {why}"


def ims_posture(ws: Workspace, cfg: LibertyConfig, ce: ConfigElement) -> Posture:
    project = ws.project
    cf = resolve_ref(cfg, ce, "connectionFactoryRef", ("connectionFactory",))
    gmoa = child(cfg, cf, "properties.gmoa")
    host = value_of(cfg, gmoa, "hostName") or "?"
    port = value_of(cfg, gmoa, "portNumber") or "?"
    unknowns: list[str] = []
    transport, detail = _at_tls_transport(project, ce.id, host, "IMS Connect TLS comes from an AT-TLS policy, not from server.xml", unknowns)
    ad, ad_text = _auth_data_identity(cfg, cf)
    appl = value_of(cfg, gmoa, "applicationName")
    user = value_of(cfg, gmoa, "userName")
    if appl and user:
        identity, idetail = "passticket", f"PassTicket for the fixed user {user} (APPL {appl})"
    elif appl:
        identity, idetail = "passticket", f"PassTicket for the authenticated caller (APPL {appl})"
    elif ad is not None:
        identity, idetail = "fixed-credentials", ad_text
    elif user:
        identity, idetail = "fixed-credentials", f"user ID {user} from properties.gmoa"
    else:
        identity, idetail = "none", "no user ID is sent to IMS Connect"
    return Posture("ims", ce, cfg, ce.id, f"{host}:{port}", transport, detail, "none", None, identity, idetail, unknowns, None, None, ad)


def imsdb_posture(ws: Workspace, cfg: LibertyConfig, cf: ConfigElement) -> Posture:
    project = ws.project
    props = child(cfg, cf, "properties.imsudbJLocal")
    host = value_of(cfg, props, "datastoreServer") or "?"
    port = value_of(cfg, props, "portNumber") or "?"
    unknowns: list[str] = []
    transport, detail = _at_tls_transport(project, cf.id, host, "IMS Connect offers database clients TLS only through AT-TLS", unknowns)
    appl = value_of(cfg, props, "applicationName")
    user = value_of(cfg, props, "user")
    ad, ad_text = _auth_data_identity(cfg, cf)
    if appl:
        identity, idetail = "passticket", f"RACF PassTicket (APPL {appl})" + (f" for the fixed user {user}" if user else " for the authenticated caller")
    elif user:
        identity, idetail = "fixed-credentials", f"basic authentication as {user}"
    elif ad is not None:
        identity, idetail = "fixed-credentials", ad_text
    else:
        identity, idetail = "none", "no credentials are configured"
    return Posture("imsdb", cf, cfg, cf.id, f"{host}:{port}", transport, detail, "none", None, identity, idetail, unknowns, None, None, ad)


def mq_posture(ws: Workspace, cfg: LibertyConfig, ce: ConfigElement) -> Posture:
    props = child(cfg, ce, "properties.wmqJms")
    mode = (value_of(cfg, props, "transportType") or "BINDINGS").upper()
    qm = value_of(cfg, props, "queueManager") or "?"
    unknowns: list[str] = []
    if mode == "CLIENT":
        host = value_of(cfg, props, "hostName") or "?"
        port = value_of(cfg, props, "port") or "1414"
        target = f"{qm} at {host}:{port} (client mode)"
        cipher = value_of(cfg, props, "sslCipherSuite")
        at_tls = ws.project.fact("at_tls", ce.id, host)
        if cipher:
            transport, detail = "tls", f"TLS with cipher suite {cipher}"
        elif at_tls:
            transport, detail = "at-tls", "AT-TLS (stated in .zcsec.toml)"
        else:
            transport, detail = "none", "no sslCipherSuite: the channel runs without TLS"
    else:
        target = f"{qm} (bindings mode, same LPAR)"
        transport, detail = "none", "cross-memory (bindings mode): no network, TLS does not apply"
    ad, ad_text = _auth_data_identity(cfg, ce)
    caller = _service_property(cfg, "useCallerPrincipal")
    if caller and caller.lower() == "true":
        identity, idetail = "asserted-caller", "the authenticated caller's user ID (useCallerPrincipal)"
    elif ad is not None:
        identity, idetail = "fixed-credentials", ad_text
    elif _service_property(cfg, "userName"):
        identity, idetail = "fixed-credentials", "user ID and password from service properties"
    else:
        identity, idetail = "none", "the z/OS Connect server's own user ID"
    return Posture("mq", ce, cfg, ce.id, target, transport, detail, "unknown" if transport == "tls" else "none", None, identity, idetail, unknowns, None, None, ad)


def _service_property(cfg: LibertyConfig, name: str) -> str | None:
    for p in cfg.of_type("property"):
        if p.element.value("name") == name:
            return value_of(cfg, p, "value")
    return None


def _tls_meant(cfg: LibertyConfig, ce: ConfigElement) -> str:
    """Why the transport is unknown when sslCertsRef names an <ssl> that is
    not in these files: TLS is meant, but its settings cannot be seen (and
    a missing one is ref-unresolved's finding, not plain text); "" otherwise."""
    ref = value_of(cfg, ce, "sslCertsRef")
    if not ref:
        return ""
    return f"sslCertsRef names <ssl id=\"{ref.strip()}\">, which is not in these files: TLS is meant, its settings cannot be seen"


def rest_posture(ws: Workspace, cfg: LibertyConfig, ce: ConfigElement) -> Posture:
    host = value_of(cfg, ce, "host") or "?"
    port = value_of(cfg, ce, "port") or "?"
    ssl = resolve_ref(cfg, ce, "sslCertsRef", ("ssl",))
    at_tls = ws.project.fact("at_tls", ce.id, host)
    unknowns = []
    if ssl is not None:
        transport, detail = "tls", f"HTTPS by Liberty with <ssl id=\"{ssl.id}\">" + _keystore_note(cfg, ssl)
    elif _tls_meant(cfg, ce):
        transport, detail = "unknown", _tls_meant(cfg, ce)
    elif at_tls:
        transport, detail = "at-tls", "AT-TLS (stated in .zcsec.toml)"
    else:
        transport, detail = "none", "plain HTTP (no sslCertsRef)"
        if at_tls is None:
            unknowns.append("whether an AT-TLS policy protects this connection (facts.at_tls)")
    creds = None
    identity, idetail = "none", "no credentials are configured"
    if ce.name == "zosconnect_zosConnectServiceRestClientConnection":
        creds = resolve_ref(cfg, ce, "basicAuthRef", ("zosconnect_zosConnectServiceRestClientBasicAuth",))
        appl = value_of(cfg, creds, "applName")
        if appl:
            identity, idetail = "passticket", f"RACF PassTicket for the authenticated caller (APPL {appl})"
        elif creds is not None:
            identity, idetail = "fixed-credentials", f"basic authentication from <{creds.name} id=\"{creds.id}\">"
    elif ce.name == "zosconnect_db2Connection":
        creds = resolve_ref(cfg, ce, "credentialRef", ("zosconnect_credential",))
        if creds is not None:
            identity, idetail = "fixed-credentials", f"basic authentication from <zosconnect_credential id=\"{creds.id}\">"
    else:
        creds = resolve_ref(cfg, ce, "authenticationConfigRef", ("zosconnect_authData", "zosconnect_oAuthConfig", "zosconnect_authToken")) or resolve_ref(cfg, ce, "basicAuthRef", ("zosconnect_authData",))
        if creds is not None:
            kind = "OAuth" if creds.name == "zosconnect_oAuthConfig" else "basic authentication"
            identity, idetail = "fixed-credentials", f"{kind} from <{creds.name} id=\"{creds.id}\">"
    bind = "client-certificate" if ssl is not None and _has_client_key(cfg, ssl) else "none"
    return Posture("rest", ce, cfg, ce.id, f"{host}:{port}", transport, detail, bind, None, identity, idetail, unknowns, None, ssl, creds)


def _has_client_key(cfg: LibertyConfig, ssl: ConfigElement) -> bool:
    return bool(value_of(cfg, ssl, "clientKeyAlias"))


def wola_posture(ws: Workspace, cfg: LibertyConfig, ce: ConfigElement) -> Posture:
    """A WOLA connection: a zosconnect_localAdaptersConnectService, or a WOLA
    connection factory that only services defined in .sar files use."""
    cf: ConfigElement | None
    if ce.name == "connectionFactory":
        cf, register = ce, "(register name in the .sar files)"
    else:
        cf = resolve_ref(cfg, ce, "connectionFactoryRef", ("connectionFactory",))
        register = value_of(cfg, ce, "registerName") or "?"
    adapters = cfg.of_type("zosLocalAdapters")
    parts = [value_of(cfg, adapters[0], a) or "?" for a in ("wolaGroup", "wolaName2", "wolaName3")] if adapters else ["?", "?", "?"]
    ad, ad_text = _auth_data_identity(cfg, cf)
    unknowns: list[str] = []
    if _wola_targets_cics(ws, cfg, cf):
        # In CICS a link server task (BBO$) receives the request and starts a
        # link task (BBO#) for the program; which user ID that task gets is
        # chosen when the link server is started, not in server.xml.
        propagates = ws.project.fact("wola_propagates_identity", ce.id)
        if propagates is True:
            link_user = "the user ID that z/OS Connect propagates: the CICS link task BBO# runs under it (.zcsec.toml)"
        elif propagates is False:
            link_user = "the CICS link server's user ID: the link task BBO# runs under the ID that started BBO$ (.zcsec.toml)"
        else:
            link_user = "set when the CICS link server is started: the propagated user ID, or the link server's own (BBO$)"
            unknowns.append("whether the CICS link server runs the link task BBO# under the propagated user ID or under its own (facts.wola_propagates_identity)")
    else:
        link_user = "the user ID of the address space that registered the program (a batch job, IMS or a CICS region)"
    identity, idetail = ("fixed-credentials", ad_text) if ad is not None else ("none", "no container auth data: the request carries no user ID")
    return Posture(
        "wola", ce, cfg, ce.id, f"{' '.join(parts)} / {register}", "local", "cross-memory on the same z/OS image; no network",
        "none", link_user, identity, idetail, unknowns, None, None, ad,
    )


_CICS_ONLY_OLA = ("linkTaskTranID", "useCICSContainer")
_CICS_LINK_TRANSACTIONS = ("BBO$", "BBO#")


def _wola_targets_cics(ws: Workspace, cfg: LibertyConfig, cf: ConfigElement | None) -> bool:
    """Whether a WOLA connection calls into CICS: its factory sets a property
    only CICS uses, or the workspace's CSD defines the WOLA link transactions."""
    for props in cfg.children(cf, "properties.ola") if cf is not None else []:
        if any(props.element.get(name) is not None for name in _CICS_ONLY_OLA):
            return True
    return any(ws.csd.named("TRANSACTION", name) for name in _CICS_LINK_TRANSACTIONS)


_NO_FAILURES: list = []  # shared: most units have none (never appended to)
_NO_READS: list = []


@dataclass(slots=True, eq=False)
class UnitPostures:
    """The connections written in one top-level element of a configuration
    (a direct child of <server>), with the connections whose posture could
    not be worked out, and what deciding and working them out read (keys,
    zcsec/reads.py): after an edit that changes none of them, they stand."""

    unit: Element
    postures: list[Posture]
    failures: list[tuple[ConfigElement, Exception]]
    reads: list[tuple]
    providers: frozenset[str] = frozenset()  # of its postures


def postures(ws: Workspace, cfg: LibertyConfig) -> list[Posture]:
    """Every connection of a configuration, in document order (computed once
    per configuration)."""
    note(("all",))
    out: list[Posture] = []
    for rec in unit_postures(ws, cfg):
        if rec.reads:
            replay(rec.reads)
        out.extend(rec.postures)
    return out


@dataclass(slots=True, eq=False)
class _Postures:
    """What unit_postures keeps for a configuration."""

    records: list[UnitPostures]  # in document order
    caller: Caller
    caller_reads: list[tuple]
    by_unit: dict[Element, UnitPostures] = field(default_factory=dict)
    links: Counter = field(default_factory=Counter)  # id(CSD command) -> how many connections lead to it
    by_key: dict[tuple, set[Element]] | None = None  # key -> the units whose records read it (built when first needed)

    def add(self, rec: UnitPostures) -> None:
        self.by_unit[rec.unit] = rec
        self.links.update(_links(rec))
        if self.by_key is not None:
            for key in rec.reads:
                self.by_key.setdefault(key, set()).add(rec.unit)

    def drop(self, rec: UnitPostures) -> None:
        del self.by_unit[rec.unit]
        self.links.subtract(_links(rec))
        if self.by_key is not None:
            for key in rec.reads:
                units = self.by_key.get(key)
                if units is not None:
                    units.discard(rec.unit)

    def index(self) -> dict[tuple, set[Element]]:
        if self.by_key is None:
            self.by_key = {}
            for rec in self.records:
                for key in rec.reads:
                    self.by_key.setdefault(key, set()).add(rec.unit)
        return self.by_key


def _links(rec: UnitPostures) -> list[int]:
    """ids of the CSD commands the connections of ``rec`` lead to."""
    out = []
    for p in rec.postures:
        if p.cics is not None:
            if p.cics.service is not None:
                out.append(id(p.cics.service))
            if p.cics.ipconn is not None:
                out.append(id(p.cics.ipconn))
    return out


def unit_postures(ws: Workspace, cfg: LibertyConfig) -> list[UnitPostures]:
    """The connections of a configuration by the top-level element they are
    written in, in document order (computed once per configuration, and
    kept up to date by :func:`update_postures`); only the elements that hold
    one, or whose holding one depends on others.  Notes nothing itself: a
    reader replays the reads of the units it uses."""
    return _postures(ws, cfg).records


def postures_in(ws: Workspace, cfg: LibertyConfig, units: Iterable[Element]) -> list[UnitPostures]:
    """The records of :func:`unit_postures` of ``units`` (those that have one)."""
    by_unit = _postures(ws, cfg).by_unit
    return [by_unit[u] for u in units if u in by_unit]


def linked(ws: Workspace, cmd: CsdCommand) -> bool:
    """Whether a connection of the workspace leads to ``cmd`` (its
    TCPIPSERVICE or IPCONN)."""
    note("linked", id(cmd))
    return any(_postures(ws, cfg).links[id(cmd)] > 0 for cfg in ws.configs)


def _postures(ws: Workspace, cfg: LibertyConfig) -> _Postures:
    cached = cfg.cache.get("unit-postures")
    if cached is None:
        caller, caller_reads = isolated(lambda: caller_of(cfg))
        cached = cfg.cache["unit-postures"] = _Postures([], caller, caller_reads)
        cached.records = _records(ws, cfg, list(cfg.by_unit), cached)
        for rec in cached.records:
            cached.add(rec)
    return cached


def _records(ws: Workspace, cfg: LibertyConfig, units: list[Element], kept: _Postures) -> list[UnitPostures]:
    """The records of :func:`unit_postures` for ``units`` (in their order)."""
    if len(units) > 16:
        candidates = {ce.unit for name in _MAY_CONNECT for ce in cfg.by_name.get(name, ())}
    else:  # a few units after an edit: look at them, not at every connection
        candidates = {u for u in units if any(ce.name in _MAY_CONNECT for ce in cfg.by_unit.get(u, ()))}
    out = []
    for unit in units:
        if unit not in candidates:
            continue
        rec, reads = isolated(lambda: _unit(ws, cfg, unit, kept.caller))
        if rec.postures:
            reads.extend(kept.caller_reads)
        if rec.postures or rec.failures or reads:
            rec.reads = reads or _NO_READS
            rec.providers = _providers(rec.postures)
            out.append(rec)
    return out


def update_postures(ws: Workspace, delta: Delta) -> set[Element]:
    """Bring the connections of every configuration up to date after an edit
    (Workspace.refresh): those of the units it re-parsed, and those that read
    something it changed, are worked out again.  Returns the units whose
    connections may have changed, and adds to ``delta.keys`` ("linked", id)
    for the CSD commands a connection now leads to, or no longer."""
    changed: set[Element] = set()
    for cfg in ws.configs:
        kept = cfg.cache.get("unit-postures")
        if kept is None:
            continue
        before = Counter(kept.links)
        if not delta.keys.isdisjoint(kept.caller_reads):
            # Who calls changed: every connection says so.
            changed.update(rec.unit for rec in kept.records)
            del cfg.cache["unit-postures"]
            kept = _postures(ws, cfg)
            changed.update(rec.unit for rec in kept.records)
        else:
            again = {u for path in cfg.files for u in delta.added.get(path, ())}
            by_key = kept.index()
            for key in delta.keys:
                again |= by_key.get(key, set())
            for unit in (again | delta.removed) & kept.by_unit.keys():
                rec = kept.by_unit[unit]
                kept.drop(rec)
                kept.records.remove(rec)
                changed.add(unit)
            for rec in _records(ws, cfg, [u for u in again if u in cfg.by_unit], kept):
                kept.add(rec)
                insort(kept.records, rec, key=lambda r: cfg.order(cfg.by_unit[r.unit][0]))
            changed |= again
        for cid in (before.keys() | kept.links.keys()):
            if (before[cid] > 0) != (kept.links[cid] > 0):
                delta.keys.add(("linked", cid))
        kept.links = +kept.links  # drop the zero counts
    return changed


def _unit(ws: Workspace, cfg: LibertyConfig, unit: Element, provider_side: Caller) -> UnitPostures:
    rec = UnitPostures(unit, [], _NO_FAILURES, _NO_READS)
    for ce in cfg.by_unit.get(unit, ()):
        name = ce.name
        try:
            p = _posture(ws, cfg, ce, name)
            if p is not None:
                p.caller = _REQUESTER_CALLER if name == "zosconnect_endpointConnection" else provider_side
                p.tls_floor = tls_floor(cfg, p)
                rec.postures.append(p)
        except Exception as exc:  # noqa: BLE001 - a bug here must not hide the other connections
            # Not dropped in silence: the engine reports it as internal-error
            # at the element, as it does for a rule that fails.
            if rec.failures is _NO_FAILURES:
                rec.failures = []
            rec.failures.append((ce, exc))
    return rec


def tls_floor(cfg: LibertyConfig, p: Posture) -> str | None:
    """The weakest protocol version and cipher suite each end of a TLS hop
    allows, as configured (what an attacker in the middle can steer the
    handshake down to); None for hops without TLS configured here."""
    if p.transport != "tls":
        return None
    parts = []
    if p.ssl is not None:
        parts.append("z/OS Connect: " + _liberty_floor(cfg, p.ssl))
    elif p.provider == "mq":
        props = child(cfg, p.element, "properties.wmqJms")
        suite = value_of(cfg, props, "sslCipherSuite")
        if suite:
            strength = tls.classify(suite)
            parts.append(f"z/OS Connect: the suite {strength.name} ({strength.klass})")
    if p.cics is not None and p.cics.service is not None and p.cics.ssl != "NO":
        parts.append("CICS: " + _cics_floor(p.cics.service))
    return "; ".join(parts) or None


def _liberty_floor(cfg: LibertyConfig, ssl: ConfigElement) -> str:
    written = value_of(cfg, ssl, "sslProtocol")
    lowest = tls.lowest_protocol(tls.names(written)) if written else None
    if lowest is not None:
        protocol = f"{lowest} ({tls.protocol_class(lowest)})"
    else:
        protocol = "the protocols the JVM negotiates by default" if not written else f"sslProtocol {written} (negotiated)"
    suites = value_of(cfg, ssl, "enabledCiphers")
    found = [(n, tls.classify(n)) for n in tls.names(suites)] if suites else []
    weakest = tls.worst(found)
    if weakest is not None:
        cipher = f"weakest suite {weakest[1].name} ({weakest[1].klass})"
    else:
        level = (value_of(cfg, ssl, "securityLevel") or "HIGH").upper()
        cipher = f"securityLevel {level}" + (" (weak suites enabled)" if level == "LOW" else " (the JVM's suites for that level)")
    return f"{protocol}, {cipher}"


def _cics_floor(service: CsdCommand) -> str:
    ciphers = service.value("CIPHERS")
    if not ciphers:
        return "the region's default cipher list (MINTLSLEVEL and the CICS release decide it)"
    found = tls.cics_ciphers(ciphers)
    if found is None:
        return f"the cipher suite file {ciphers} (not in the workspace)"
    weakest = tls.worst(found)
    assert weakest is not None
    return f"CIPHERS({ciphers}), weakest {weakest[0]} = {weakest[1].name} ({weakest[1].klass})"


_REQUESTER_CALLER = Caller("zos-program", None, "a z/OS program (API requester)", "the API requester is called by z/OS applications (CICS, IMS, batch), not by HTTP clients of z/OS Connect")
# User registries, by element, and what their users are to a system of record.
_REGISTRIES = (
    ("safRegistry", "saf", "SAF user IDs"),
    ("ldapRegistry", "ldap", "LDAP users (distributed identities)"),
    ("federatedRepository", "federated", "federated repository users"),
    ("basicRegistry", "basic", "basic-registry users (not SAF user IDs)"),
    ("customRegistry", "custom", "users of a custom registry"),
)


def caller_of(cfg: LibertyConfig) -> Caller:
    """How z/OS Connect (OpenAPI 2 API provider) authenticates its callers
    in this configuration: requireAuth and requireSecure on the manager
    (both true by default) and the user registry in effect."""
    manager = cfg.of_type("zosconnect_zosConnectManager")
    require_auth = (value_of(cfg, manager[0], "requireAuth") or "true").lower() != "false" if manager else True
    require_secure = (value_of(cfg, manager[0], "requireSecure") or "true").lower() != "false" if manager else True
    found = [(kind, what) for name, kind, what in _REGISTRIES if cfg.of_type(name)]
    if found:
        registry, users = found[0][0], " and ".join(what for _, what in found)
    elif cfg.fragment or cfg.missing_includes:
        registry, users = None, "a user registry zcsec cannot see"
    else:
        registry, users = "none", "no user registry in these files"
    tokens = [t for n, t in (("mpJwt", "JWTs"), ("openidConnectClient", "OpenID Connect tokens")) if cfg.of_type(n)]
    if any((value_of(cfg, s, "clientAuthentication") or "").lower() == "true" for s in cfg.of_type("ssl")):
        tokens.append("TLS client certificates")
    how = users + (f", or {' and '.join(tokens)}" if tokens else "")
    anonymous_apis = [ce.element.value("name") or ce.id or "?" for n in ("zosConnectAPI", "service") for ce in cfg.of_type(n) if (value_of(cfg, ce, "requireAuth") or "").lower() == "false"]
    if not require_auth:
        kind, summary, detail = "anonymous", "anyone (requireAuth=false)", "requireAuth=\"false\" on zosconnect_zosConnectManager: no caller authenticates"
    else:
        kind = "authenticated" if registry not in (None, "none") or tokens else "unknown"
        summary = f"authenticated: {how}"
        detail = f"callers authenticate (requireAuth is true) as {how}"
        if anonymous_apis:
            detail += f"; except the APIs or services {', '.join(anonymous_apis[:3])} (requireAuth=false)"
    if not require_secure:
        detail += "; requests over plain HTTP are accepted (requireSecure=false)"
    return Caller(kind, registry, summary, detail, not require_secure)


_ONE_PROVIDER = {p: frozenset({p}) for p in PROVIDER_NAMES}


def _providers(found: list[Posture]) -> frozenset[str]:
    if len(found) == 1 and found[0].provider in _ONE_PROVIDER:
        return _ONE_PROVIDER[found[0].provider]
    return frozenset(p.provider for p in found)


# The elements that may be connections (see _posture).
_MAY_CONNECT = frozenset(CONNECTION_ELEMENTS) | {"connectionFactory"}


def _posture(ws: Workspace, cfg: LibertyConfig, ce: ConfigElement, name: str) -> Posture | None:
    """The posture of ``ce`` when it is a connection, else None."""
    if name == "zosconnect_cicsIpicConnection":
        return cics_posture(ws, cfg, ce)
    if name in ("imsmobile_imsConnection", "zosconnect_imsConnection"):
        return ims_posture(ws, cfg, ce)
    if name == "connectionFactory" and cfg.children(ce, "properties.imsudbJLocal"):
        return imsdb_posture(ws, cfg, ce)
    if name == "jmsConnectionFactory":
        return mq_posture(ws, cfg, ce)
    if name in ("zosconnect_zosConnectServiceRestClientConnection", "zosconnect_db2Connection", "zosconnect_endpointConnection"):
        return rest_posture(ws, cfg, ce)
    # A WOLA connection factory that an element of the configuration names
    # with connectionFactoryRef is part of that element's posture (a
    # localAdaptersConnectService) or of a product's own (a <usr_dvsService>),
    # not a WOLA connection of its own.
    if name == "zosconnect_localAdaptersConnectService" or (name == "connectionFactory" and cfg.children(ce, "properties.ola") and not cfg.referenced("connectionFactoryRef", ce.id)):
        return wola_posture(ws, cfg, ce)
    return None


def posture_failures(ws: Workspace, cfg: LibertyConfig) -> list[tuple[ConfigElement, Exception]]:
    """The connections whose posture could not be computed, with the error."""
    note(("all",))
    out = []
    for rec in unit_postures(ws, cfg):
        if rec.failures:
            replay(rec.reads)
            out.extend(rec.failures)
    return out


def is_encoded(value: str) -> bool:
    return _ENCODED.match(value.strip()) is not None
