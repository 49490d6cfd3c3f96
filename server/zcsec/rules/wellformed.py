"""Rules for problems found while reading and parsing: well-formedness of XML,
DFHCSDUP record syntax, unreadable files and broken includes."""

from __future__ import annotations

import os

from ..findings import Edit, Fix, Severity
from ..secrecy import looks_secret
from .registry import CONFIG, CSD_FILE, WORKSPACE, XML_FILE, Context, rule

LIBERTY_CONFIG = "https://openliberty.io/docs/latest/reference/config/server-configuration-overview.html"
INCLUDE_DOC = "https://openliberty.io/docs/latest/reference/config/include.html"
CSD_SYNTAX = "https://www.ibm.com/docs/en/SSGMCP_5.5.0/reference/resources/syntax.html"


def _secret_values(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """(attribute name, value span) of every secret attribute in the file:
    secret in the catalogue, or named like a password when zcsec does not
    know the element."""
    cfg = ctx.config
    specs = {id(ce.element): ce.spec for ce in cfg.by_file.get(ctx.file.path, [])} if cfg is not None else {}
    out = []
    for el in ctx.file.doc.iter():
        spec = specs.get(id(el))
        for attr in el.attributes:
            aspec = spec.attribute(attr.name) if spec is not None else None
            if (aspec is not None and aspec.secret) or looks_secret(attr.name):
                out.append((attr.name, attr.value_span))
    return out


def _parser_rule(code: str, scope: str, title: str, severity: Severity, rationale: str, link: str, bad: str, good: str, fixer=None, fix: str | None = None) -> None:
    def check(ctx: Context) -> None:
        problems = [p for p in ctx.file.doc.problems if p.code == code]
        secrets = _secret_values(ctx) if problems and scope == XML_FILE else []
        for p in problems:
            message = p.message
            for name, (a, b) in secrets:
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
            # A CSD problem may carry its own severity (one code, two cases).
            own = Severity.parse(p.severity) if getattr(p, "severity", None) else None
            fixes = fixer(ctx, p) if fixer is not None else []
            ctx.report(p.span, message, severity=own if own is not None and own != severity else None, fixes=fixes)

    rule(code, title=title, severity=severity, scope=scope, category="syntax", rationale=rationale, link=link, bad=bad, good=good, fix=fix)(check)


_parser_rule(
    "xml-syntax", XML_FILE, "XML is not well formed", Severity.ERROR,
    "Liberty refuses a configuration file that is not well-formed XML and keeps running with the previous configuration, so none of the security settings in the file take effect.",
    LIBERTY_CONFIG,
    '<ssl id="zcSSL" keyStoreRef="zcKeys"',
    '<ssl id="zcSSL" keyStoreRef="zcKeys"/>',
)
_parser_rule(
    "xml-unclosed", XML_FILE, "Element is not closed", Severity.ERROR,
    "An element without its end tag makes the file malformed; everything after it would be read as its content.",
    LIBERTY_CONFIG,
    "<featureManager>\n  <feature>zosconnect:cicsService-1.0</feature>\n</server>",
    "<featureManager>\n  <feature>zosconnect:cicsService-1.0</feature>\n</featureManager>\n</server>",
)
_parser_rule(
    "xml-mismatch", XML_FILE, "End tag matches no open element", Severity.ERROR,
    "An end tag whose name does not match the open element makes the file malformed.",
    LIBERTY_CONFIG,
    "<keyStore id=\"k\"></keystore>",
    "<keyStore id=\"k\"></keyStore>",
)
_parser_rule(
    "xml-entity", XML_FILE, "Undefined entity or bare ampersand", Severity.ERROR,
    "Liberty configuration has no DTD, so only the five predefined entities and character references are allowed; an '&' on its own must be written '&amp;'.",
    LIBERTY_CONFIG,
    '<variable name="x" value="a&b"/>',
    '<variable name="x" value="a&amp;b"/>',
)
_parser_rule(
    "xml-duplicate-attribute", XML_FILE, "Attribute given twice", Severity.ERROR,
    "XML forbids the same attribute twice on one element; the file is rejected.",
    LIBERTY_CONFIG,
    '<zosconnect_cicsIpicConnection id="c" port="1491" port="1492"/>',
    '<zosconnect_cicsIpicConnection id="c" port="1491"/>',
)
_parser_rule(
    "xml-doctype", XML_FILE, "DOCTYPE in a Liberty configuration", Severity.WARNING,
    "Liberty configuration files never need a DTD. A DOCTYPE can declare entities that expand enormously or read local files; zcsec never expands or reads them, and the declaration should be removed.",
    LIBERTY_CONFIG,
    '<!DOCTYPE server [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<server>...</server>',
    "<server>...</server>",
)
_parser_rule(
    "csd-syntax", CSD_FILE, "DFHCSDUP syntax error", Severity.ERROR,
    "DFHCSDUP stops processing a command it cannot parse (unbalanced parentheses, an unclosed quote, an operand with no command), so the definition is never written to the CSD.",
    CSD_SYNTAX,
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN",
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN)",
)
_parser_rule(
    "csd-continuation", CSD_FILE, "Continuation with no following record", Severity.ERROR,
    "A '*' in column 72 says the value goes on in column 1 of the next record; at the end of the input that value is cut short.",
    CSD_SYNTAX,
    "(a record ending with '*' in column 72 as the last record)",
    "(the value completed on the next record)",
)
_parser_rule(
    "csd-record-length", CSD_FILE, "Record longer than 80 columns", Severity.WARNING,
    "DFHCSDUP reads 80-column records and treats columns 73-80 as sequence numbers; text past column 71 is not part of the command.",
    CSD_SYNTAX,
    "(a DEFINE whose operands run past column 71)",
    "(operands wrapped onto the next record)",
)
def _rewrap_fix(ctx: Context, p) -> list[Fix]:
    """Move the operand that reaches column 72 to a record of its own,
    indented as continuation records usually are."""
    text = ctx.file.text
    line_start = text.rfind("\n", 0, p.span[0]) + 1
    if p.span[0] != line_start + 71:
        return []  # text past column 72: where it belongs is for the person to decide
    blank = text.rfind(" ", line_start, p.span[0])
    if blank <= line_start or not text[line_start:blank].strip():
        return []  # one operand fills the record: nothing to move
    newline = "\r\n" if text.find("\r\n", line_start) == text.find("\n", line_start) - 1 >= 0 else "\n"
    return [Fix("Move the operand to the next record", [Edit(ctx.file.path, (blank, blank + 1), newline + " " * 8)])]


_parser_rule(
    "csd-column-72", CSD_FILE, "Text in column 72 or beyond", Severity.INFORMATION,
    "IBM documents columns 1-71 for DFHCSDUP commands: column 72 marks a continued value and columns 73-80 are ignored (sequence numbers). A character packed into column 72, as extract output and real members have, is read and only reported as information; text that runs on past column 72 is lost, which is an error.",
    CSD_SYNTAX,
    "(an operand whose closing ')' falls in column 72)",
    "(the operand moved to the next record)",
    fixer=_rewrap_fix,
    fix="Move the operand that reaches column 72 to the next record.",
)


def _model_rule(code: str, scope: str, title: str, severity: Severity, rationale: str, link: str | None = None, bad: str | None = None, good: str | None = None) -> None:
    def check(ctx: Context) -> None:
        problems = ctx.config.problems if scope == CONFIG else ctx.workspace.problems
        if scope == WORKSPACE:
            problems = list(problems) + [p for cfg in ctx.workspace.configs for p in cfg.problems]
        for p in problems:
            if p.code == code:
                ctx.report(p.span, p.message, path=p.path, severity=p.severity)

    rule(code, title=title, severity=severity, scope=scope, category="model", rationale=rationale, link=link, bad=bad, good=good)(check)


_model_rule(
    "file-unreadable", WORKSPACE, "File cannot be read", Severity.ERROR,
    "A file zcsec was asked to check could not be opened or is not a regular file; the rest of the input is still checked.",
)
_model_rule(
    "file-too-large", WORKSPACE, "File over the size limit", Severity.WARNING,
    "Files larger than max_file_size_mb (default 20 MB) are skipped so that one huge file cannot stall the editor or CI. Raise the limit in .zcsec.toml if the file is genuine.",
)
_model_rule(
    "file-binary", WORKSPACE, "Binary file", Severity.WARNING,
    "The file contains NUL bytes, so it is not text that Liberty or DFHCSDUP could read.",
)
_model_rule(
    "file-encoding", WORKSPACE, "File is not valid in its encoding", Severity.WARNING,
    "The bytes do not decode in the file's encoding (UTF-8 unless a byte order mark or XML declaration says otherwise). zcsec shows the bad bytes as U+FFFD and checks the rest; Liberty may reject the file.",
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
    '<!-- a.xml --> <include location="b.xml"/>  <!-- b.xml --> <include location="a.xml"/>',
    '<!-- a.xml --> <include location="b.xml"/>',
)
_model_rule(
    "include-unreadable", CONFIG, "Included file cannot be used", Severity.ERROR,
    "The included file exists but cannot be read as text (permissions, binary content, size limit).",
    INCLUDE_DOC,
)
_model_rule(
    "include-remote", CONFIG, "Remote include not checked", Severity.INFORMATION,
    "zcsec never fetches anything over the network, so the content of an include given as a URL is not part of the analysis.",
    INCLUDE_DOC,
)
_model_rule(
    "include-unresolved", CONFIG, "Include location uses unknown variables", Severity.INFORMATION,
    "The location of an include uses a variable that no file in the workspace defines (it may come from the process environment at run time). Give its value in [variables] of .zcsec.toml so that zcsec can follow the include.",
    INCLUDE_DOC,
)
_model_rule(
    "include-not-server", CONFIG, "Included file is not a Liberty configuration", Severity.ERROR,
    "Every included file must have <server> as its root element; Liberty rejects anything else.",
    INCLUDE_DOC,
)


@rule(
    "internal-error",
    title="zcsec rule failed",
    severity=Severity.WARNING,
    scope="engine",
    category="model",
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
