"""Rules for problems found while reading and parsing: well-formedness of
XML, unreadable files, broken includes and .zcsec.toml settings (DFHCSDUP
record syntax is in csd.py, with the other csd-* rules)."""

from __future__ import annotations

import os

from ..findings import Severity
from ..secrecy import looks_secret
from ..xmlparse import Element
from .registry import CONFIG, WORKSPACE, XML_FILE, Context, rule

LIBERTY_CONFIG = "https://openliberty.io/docs/latest/reference/config/server-configuration-overview.html"
INCLUDE_DOC = "https://openliberty.io/docs/latest/reference/config/include.html"


def _secret_values(ctx: Context, unit: object) -> list[tuple[str, tuple[int, int]]]:
    """(attribute name, value span) of every secret attribute in ``unit``
    (a top-level element, or what is outside them: rest_of): secret in the
    catalogue, or named like a password when zcsec does not know the
    element."""
    cfg = ctx.config
    doc = ctx.xml_file.doc
    if isinstance(unit, Element):
        specs = {id(ce.element): ce.spec for ce in cfg.by_unit.get(unit, ())}
        elements = list(unit.iter())
    else:
        specs = {}
        root = doc.root
        elements = [root] if root is not None and root.name == "server" else list(doc.iter())
    out = []
    for el in elements:
        spec = specs.get(id(el))
        for attr in el.attributes:
            aspec = spec.attribute(attr.name) if spec is not None else None
            if (aspec is not None and aspec.secret) or looks_secret(attr.name):
                out.append((attr.name, attr.value_span))
    return out


def _parser_rule(code: str, title: str, severity: Severity, rationale: str, bad: str, good: str) -> None:
    def check(ctx: Context) -> None:
        secrets: dict[object, list[tuple[str, tuple[int, int]]]] = {}  # by unit, worked out once
        for p in ctx.problems(code):
            if ctx.unit not in secrets:
                secrets[ctx.unit] = _secret_values(ctx, ctx.unit)
            message = p.message
            for name, (a, b) in secrets[ctx.unit]:
                if a <= p.span[0] and p.span[1] <= b:
                    # Parser messages quote the text they complain about; a
                    # secret value is never shown.
                    if p.message.startswith("'<' is not allowed"):
                        message = f"'<' is not allowed in an attribute value (write &lt;); the secret value of '{name}' (not shown) has one, perhaps a placeholder to fill in"
                    elif code == "xml-entity":
                        message = f"the secret value of '{name}' (not shown) has an '&' that starts no valid entity reference; write a literal '&' as '&amp;'"
                    else:
                        message = f"the secret value of '{name}' (not shown) is not well formed"
                    break
            ctx.report(p.span, message)

    rule(code, title=title, severity=severity, scope=XML_FILE, category="syntax", rationale=rationale, link=LIBERTY_CONFIG, bad=bad, good=good)(check)


_parser_rule(
    "xml-syntax", "XML is not well formed", Severity.ERROR,
    "Liberty refuses a configuration file that is not well-formed XML and keeps running with the previous configuration, so none of the security settings in the file take effect.",
    '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"',
    '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>',
)
_parser_rule(
    "xml-unclosed", "Element is not closed", Severity.ERROR,
    "An element without its end tag makes the file malformed; everything after it would be read as its content.",
    "<server>\n    <featureManager>\n        <feature>zosconnect:cicsService-1.0</feature>\n</server>",
    "<server>\n    <featureManager>\n        <feature>zosconnect:cicsService-1.0</feature>\n    </featureManager>\n</server>",
)
_parser_rule(
    "xml-mismatch", "End tag matches no open element", Severity.ERROR,
    "An end tag whose name does not match the open element makes the file malformed.",
    "<keyStore id=\"k\"></keystore>",
    "<keyStore id=\"k\"></keyStore>",
)
_parser_rule(
    "xml-entity", "Undefined entity or bare ampersand", Severity.ERROR,
    "Liberty configuration has no DTD, so only the five predefined entities and character references are allowed; an '&' on its own must be written '&amp;'.",
    '<variable name="x" value="a&b"/>',
    '<variable name="x" value="a&amp;b"/>',
)
_parser_rule(
    "xml-duplicate-attribute", "Attribute given twice", Severity.ERROR,
    "XML forbids the same attribute twice on one element; the file is rejected.",
    '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491" port="1492"/>',
    '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"/>',
)
_parser_rule(
    "xml-doctype", "DOCTYPE in a Liberty configuration", Severity.WARNING,
    "Liberty configuration files never need a DTD. A DOCTYPE can declare entities that expand enormously or read local files; zcsec never expands or reads them, and the declaration should be removed.",
    '<!DOCTYPE server [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<server description="z/OS Connect"/>',
    '<server description="z/OS Connect"/>',
)


def _model_rule(code: str, scope: str, title: str, severity: Severity, rationale: str, link: str | None = None, bad: str | None = None, good: str | None = None, example_untestable: str | None = None) -> None:
    def check(ctx: Context) -> None:
        problems = ctx.config.problems if scope == CONFIG else ctx.workspace.problems
        if scope == WORKSPACE:
            problems = list(problems) + [p for cfg in ctx.workspace.configs for p in cfg.problems]
        for p in problems:
            if p.code == code:
                ctx.report(p.span, p.message, path=p.path, severity=p.severity)

    rule(code, title=title, severity=severity, scope=scope, category="model", rationale=rationale, link=link, bad=bad, good=good, example_untestable=example_untestable)(check)


_model_rule(
    "file-unreadable", WORKSPACE, "File cannot be read", Severity.ERROR,
    "A file zcsec was asked to check could not be opened or is not a regular file; the rest of the input is still checked.",
    example_untestable="it needs a path that cannot be opened as a file (a dangling link, a device, no read permission), which example text cannot give",
)
_model_rule(
    "remote-unreadable", WORKSPACE, "Input the editor could not give", Severity.WARNING,
    "For a document that is not a local file (Zowe Explorer's z/OS UNIX files and data set members, any other file system of the editor), "
    "zcsec reads the project's .zcsec.toml and the CSD input it names through the editor. When a read or a folder listing fails, or an entry "
    "names nothing, the checks that compare z/OS Connect with CICS run without that input; the message says what was missing and why.",
    example_untestable="it needs an editor that answers zcsec's requests for files and folders, which example text cannot give (tests/lsp/test_remote_projects.py covers it)",
)
_model_rule(
    "file-too-large", WORKSPACE, "File over the size limit", Severity.WARNING,
    "Files larger than max_file_size_mb (default 20 MB) are skipped so that one huge file cannot stall the editor or CI. Raise the limit in .zcsec.toml if the file is genuine.",
    bad='--- .zcsec.toml\nmax_file_size_mb = 0.0001  # about 100 bytes\n--- server.xml\n<httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="-1" httpsPort="9443"/>',
    good='--- .zcsec.toml\nmax_file_size_mb = 20\n--- server.xml\n<httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="-1" httpsPort="9443"/>',
)
_model_rule(
    "file-binary", WORKSPACE, "Binary file", Severity.WARNING,
    "The file contains NUL bytes, so it is not text that Liberty or DFHCSDUP could read.",
    example_untestable="it needs a file with NUL bytes, which example text (shown in docs/rules.md) cannot hold",
)
_model_rule(
    "file-encoding", WORKSPACE, "File is not valid in its encoding", Severity.WARNING,
    "The bytes do not decode in the file's encoding (UTF-8 unless a byte order mark or XML declaration says otherwise). zcsec shows the bad bytes as U+FFFD and checks the rest; Liberty may reject the file.",
    bad='<?xml version="1.0" encoding="US-ASCII"?>\n<server description="Zürich data centre"/>',
    good='<?xml version="1.0" encoding="UTF-8"?>\n<server description="Zürich data centre"/>',
)
_model_rule(
    "include-missing", CONFIG, "Included file does not exist", Severity.ERROR,
    "Liberty stops with an error when a required include is missing, and everything that file should have configured (TLS, credentials, connections) is absent.",
    INCLUDE_DOC,
    '<include location="tls.xml"/>  <!-- no tls.xml beside server.xml -->',
    '<include location="tls.xml" optional="true"/>',
)
_model_rule(
    "include-cycle", CONFIG, "Include cycle", Severity.ERROR,
    "Two configuration files include each other, directly or through others. Liberty reads each file once; the loop is a mistake that hides which file wins.",
    INCLUDE_DOC,
    '<include location="tls.xml"/>\n--- tls.xml\n<server>\n    <include location="server.xml"/>\n</server>',
    '<include location="tls.xml"/>\n--- tls.xml\n<server>\n    <ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>\n</server>',
)
_model_rule(
    "include-unreadable", CONFIG, "Included file cannot be used", Severity.ERROR,
    "The included file exists but cannot be read as text (permissions, binary content, size limit).",
    INCLUDE_DOC,
    example_untestable="it needs an included file that cannot be read as text (no read permission, NUL bytes), which example text cannot give",
)
_model_rule(
    "include-remote", CONFIG, "Remote include not checked", Severity.INFORMATION,
    "zcsec never fetches anything over the network, so the content of an include given as a URL is not part of the analysis.",
    INCLUDE_DOC,
    '<include location="https://config.example.com/zosconnect/tls.xml"/>',
    '<include location="tls.xml"/>\n--- tls.xml\n<server>\n    <ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>\n</server>',
)
_model_rule(
    "include-unresolved", CONFIG, "Include location uses unknown variables", Severity.INFORMATION,
    "The location of an include uses a variable that no file in the workspace defines (it may come from the process environment at run time). Give its value in [variables] of .zcsec.toml so that zcsec can follow the include.",
    INCLUDE_DOC,
    '<include location="${zc.config.dir}/tls.xml"/>',
    '<include location="${zc.config.dir}/tls.xml"/>\n--- .zcsec.toml\n[variables]\n"zc.config.dir" = "conf"\n--- conf/tls.xml\n<server>\n    <ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>\n</server>',
)
_model_rule(
    "include-not-server", CONFIG, "Included file is not a Liberty configuration", Severity.ERROR,
    "Every included file must have <server> as its root element; Liberty rejects anything else.",
    INCLUDE_DOC,
    '<include location="tls.xml"/>\n--- tls.xml\n<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>',
    '<include location="tls.xml"/>\n--- tls.xml\n<server>\n    <ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>\n</server>',
)


@rule(
    "internal-error",
    title="zcsec rule failed",
    severity=Severity.WARNING,
    scope="engine",
    category="model",
    example_untestable="the engine reports it when a rule's check fails, which no input does to a correct rule",
    rationale="A rule raised an unexpected error on this file. The other rules still ran; please report the file (without secrets) so the rule can be fixed.",
)
def _internal_error(ctx: Context) -> None:  # reported by the engine itself
    return None


@rule(
    "project-config",
    title="Problem in .zcsec.toml",
    severity=Severity.WARNING,
    scope=WORKSPACE,
    category="model",
    rationale="A setting in .zcsec.toml could not be used (not valid TOML, a wrong type, an unknown severity); zcsec falls back to the defaults for it. See docs/configuration.md.",
    link=None,
    bad='[rules]\nfeature-missing = "loud"',
    good='[rules]\nfeature-missing = "error"',
)
def _project_config(ctx: Context) -> None:
    project = ctx.project
    if project.path is None:
        return
    for message in project.problems:
        ctx.report((0, 0), message, path=str(project.path))
    # Project-local catalogue files (schemas = [...]) that could not be used.
    folders = [str(d) + os.sep for d in project.schema_dirs]
    for message in ctx.catalogue.problems:
        if any(message.startswith(f) for f in folders):
            ctx.report((0, 0), message, path=str(project.path))
