"""The catalogue: what zcsec knows is valid, loaded from the JSON data files in
``schemas/`` (and from a project-local schemas folder named in .zcsec.toml).

The format of those files is described by ``schemas/catalogue.schema.json``.
Liberty files describe server.xml elements; CSD files describe DFHCSDUP
commands and CICS resource types.  Files are merged by ``priority``: a file
with a higher priority overrides the fields it names of an element or
attribute that a lower one already describes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

_HERE = Path(__file__).resolve().parent


def default_schema_dirs() -> list[Path]:
    """Where the bundled catalogue lives: the repository's ``schemas/`` in a
    source checkout, or ``zcsec/_schemas`` when packaged."""
    env = os.environ.get("ZCSEC_SCHEMAS")
    if env:
        return [Path(env)]
    for candidate in (_HERE / "_schemas", _HERE.parent.parent / "schemas"):
        if candidate.is_dir():
            return [candidate]
    return []


# ---------------------------------------------------------------------------
# Liberty
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class AttributeSpec:
    name: str
    type: str = "string"
    values: tuple[str, ...] = ()
    case_insensitive: bool = False
    default: str | None = None
    required: bool = False
    ref_types: tuple[str, ...] = ()
    secret: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    pattern: str | None = None
    duration_unit: str | None = None
    doc: str | None = None
    link: str | None = None
    confirmed: bool = True
    deprecated: str | None = None

    @classmethod
    def from_raw(cls, name: str, raw: dict) -> "AttributeSpec":
        return cls(
            name=name,
            type=raw.get("type", "string"),
            values=tuple(raw.get("values", ())),
            case_insensitive=bool(raw.get("caseInsensitive", False)),
            default=raw.get("default"),
            required=bool(raw.get("required", False)),
            ref_types=tuple(raw.get("refTypes", ())),
            secret=bool(raw.get("secret", False)) or raw.get("type") in ("password", "passwordHash"),
            min=raw.get("min"),
            max=raw.get("max"),
            max_length=raw.get("maxLength"),
            pattern=raw.get("pattern"),
            duration_unit=raw.get("durationUnit"),
            doc=raw.get("doc"),
            link=raw.get("link"),
            confirmed=raw.get("confirmed", True) is not False,
            deprecated=raw.get("deprecated"),
        )


@dataclass(slots=True, eq=False)
class ElementSpec:
    name: str
    doc: str | None = None
    link: str | None = None
    features: tuple[str, ...] = ()
    product_lines: tuple[str, ...] = ()
    provider: str | None = None
    role: str | None = None
    confirmed: bool = False
    singleton: bool = False
    text: str = "none"
    attributes: dict[str, AttributeSpec] = field(default_factory=dict)
    _children_raw: dict[str, Any] = field(default_factory=dict, repr=False)
    _children: dict[str, "ElementSpec"] = field(default_factory=dict, repr=False)
    _catalogue: "LibertyCatalogue | None" = field(default=None, repr=False)
    _required: "tuple[tuple[str, AttributeSpec], ...] | None" = field(default=None, repr=False)

    def required_attributes(self) -> "tuple[tuple[str, AttributeSpec], ...]":
        """(name, spec) of the required attributes, in catalogue order."""
        if self._required is None:
            self._required = tuple((n, a) for n, a in self.attributes.items() if a.required)
        return self._required

    def child(self, name: str) -> "ElementSpec | None":
        """A nested element by name, matched without regard to case as
        Liberty does; the spec carries the documented spelling."""
        spec = self._children.get(name)
        if spec is None:
            canonical = name if name in self._children_raw else next((c for c in self._children_raw if c.lower() == name.lower()), None)
            if canonical is not None and self._catalogue is not None:
                spec = self._children.get(canonical) or self._catalogue._build(canonical, self._children_raw[canonical])
                self._children[canonical] = self._children[name] = spec
        return spec

    @property
    def child_names(self) -> list[str]:
        return list(self._children_raw)

    def attribute(self, name: str) -> AttributeSpec | None:
        """An attribute by name, matched without regard to case as Liberty
        does (the spec's ``name`` is the documented spelling)."""
        found = self.attributes.get(name)
        if found is None:
            lower = name.lower()
            found = next((a for n, a in self.attributes.items() if n.lower() == lower), None)
        return found


def _as_raw(value: Any) -> dict:
    if isinstance(value, str):
        return {"extends": value}
    return value


def _merge_raw(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, val in over.items():
        if key == "attributes":
            attrs = dict(out.get("attributes", {}))
            for aname, araw in val.items():
                merged = dict(attrs.get(aname, {}))
                merged.update(araw)
                attrs[aname] = merged
            out["attributes"] = attrs
        elif key == "children":
            children = dict(out.get("children", {}))
            for cname, craw in val.items():
                if cname in children:
                    children[cname] = _merge_raw(_as_raw(children[cname]), _as_raw(craw))
                else:
                    children[cname] = craw
            out["children"] = children
        else:
            out[key] = val
    return out


class LibertyCatalogue:
    def __init__(self) -> None:
        self.features: dict[str, dict] = {}
        self._elements_raw: dict[str, Any] = {}
        self._types_raw: dict[str, dict] = {}
        self._built: dict[str, ElementSpec] = {}
        self._lower: dict[str, str] = {}
        self._features_lower: dict[str, str] = {}
        # Instances Liberty creates without them being written: id -> {element, attributes}.
        self.default_instances: dict[str, dict] = {}
        # Elements that a reference to another type accepts (a jmsQueue is an adminObject).
        self.ref_subtypes: dict[str, set[str]] = {}

    def add(self, data: dict) -> None:
        for name, raw in data.get("types", {}).items():
            if name in self._types_raw:
                self._types_raw[name] = _merge_raw(self._types_raw[name], raw)
            else:
                self._types_raw[name] = raw
        for name, raw in data.get("elements", {}).items():
            if name in self._elements_raw:
                self._elements_raw[name] = _merge_raw(_as_raw(self._elements_raw[name]), _as_raw(raw))
            else:
                self._elements_raw[name] = raw
        for name, raw in data.get("features", {}).items():
            merged = dict(self.features.get(name, {}))
            merged.update(raw)
            self.features[name] = merged
        for base, subs in data.get("refSubtypes", {}).items():
            self.ref_subtypes.setdefault(base, set()).update(subs)
        for ident, raw in data.get("defaultInstances", {}).items():
            self.default_instances[ident] = {"element": raw["element"], "attributes": dict(raw.get("attributes", {}))}
        self._features_lower = {n.lower(): n for n in self.features}
        self._built.clear()
        self._lower = {n.lower(): n for n in self._elements_raw}

    def _resolve_raw(self, raw: Any, depth: int = 0) -> dict:
        raw = _as_raw(raw)
        base_name = raw.get("extends")
        if base_name and depth < 20:
            base = self._types_raw.get(base_name)
            if base is not None:
                rest = {k: v for k, v in raw.items() if k != "extends"}
                return _merge_raw(self._resolve_raw(base, depth + 1), rest)
        return raw

    def _build(self, name: str, raw: Any) -> ElementSpec:
        r = self._resolve_raw(raw)
        spec = ElementSpec(
            name=name,
            doc=r.get("doc"),
            link=r.get("link"),
            features=tuple(r.get("features", ())),
            product_lines=tuple(r.get("productLines", ())),
            provider=r.get("provider"),
            role=r.get("role"),
            confirmed=bool(r.get("confirmed", False)),
            singleton=bool(r.get("singleton", False)),
            text=r.get("text", "none"),
            attributes={an: AttributeSpec.from_raw(an, ar) for an, ar in r.get("attributes", {}).items()},
            _children_raw=dict(r.get("children", {})),
            _catalogue=self,
        )
        return spec

    def element(self, name: str) -> ElementSpec | None:
        """A top-level element (a child of <server>) by exact name: Liberty
        looks top-level elements up by their exact name (docs/sources.md),
        unlike attributes and nested elements."""
        spec = self._built.get(name)
        if spec is None:
            raw = self._elements_raw.get(name)
            if raw is None:
                return None
            spec = self._build(name, raw)
            self._built[name] = spec
        return spec

    def feature(self, name: str) -> dict | None:
        """What the catalogue knows of a feature; Liberty matches feature
        names without regard to case."""
        canonical = self._features_lower.get(name.strip().lower())
        return self.features.get(canonical) if canonical is not None else None

    def feature_closure(self, enabled: Iterable[str]) -> tuple[set[str], list[tuple[str, str, frozenset[str]]]]:
        """The features that ``enabled`` brings in (lower case, the enabled
        ones included), and the enabled features whose closure zcsec does
        not know, each with what it may enable ("any" or "liberty") and what
        IBM documents it does not enable."""
        closure: set[str] = set()
        unknown: list[tuple[str, str, frozenset[str]]] = []
        for name in enabled:
            key = name.strip().lower()
            closure.add(key)
            info = self.feature(key)
            if info is not None and info.get("closureKnown"):
                closure.update(e.lower() for e in info.get("enables", ()))
            else:
                info = info or {}
                unknown.append((key, info.get("mayEnable", "any"), frozenset(n.lower() for n in info.get("notEnables", ()))))
        return closure, unknown

    def canonical_name(self, name: str) -> str | None:
        """The catalogue's spelling of a top-level element name, ignoring case."""
        return self._lower.get(name.lower())

    @property
    def element_names(self) -> list[str]:
        return list(self._elements_raw)


# ---------------------------------------------------------------------------
# CSD
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class CsdKeywordSpec:
    name: str
    type: str
    abbr: str
    abbr_confirmed: bool = False
    values: tuple[str, ...] = ()
    default: str | None = None
    required: bool = False
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    case_sensitive: bool = False
    ref_type: str | None = None
    protocols: tuple[str, ...] = ()
    releases: str | None = None
    doc: str | None = None
    link: str | None = None
    confirmed: bool = True

    @classmethod
    def from_raw(cls, name: str, raw: dict) -> "CsdKeywordSpec":
        return cls(
            name=name,
            type=raw.get("type", "any"),
            abbr=raw.get("abbr") or name,
            abbr_confirmed=bool(raw.get("abbrConfirmed", False)),
            values=tuple(raw.get("values", ())),
            default=raw.get("default"),
            required=bool(raw.get("required", False)),
            min=raw.get("min"),
            max=raw.get("max"),
            max_length=raw.get("maxLength"),
            case_sensitive=bool(raw.get("caseSensitive", False)),
            ref_type=raw.get("refType"),
            protocols=tuple(raw.get("protocols", ())),
            releases=raw.get("releases"),
            doc=raw.get("doc"),
            link=raw.get("link"),
            confirmed=raw.get("confirmed", True) is not False,
        )


@dataclass(slots=True)
class CsdResourceSpec:
    name: str
    abbr: str
    abbr_confirmed: bool = False
    doc: str | None = None
    link: str | None = None
    name_max_length: int = 8
    keywords_complete: bool = False
    keywords: dict[str, CsdKeywordSpec] = field(default_factory=dict)


@dataclass(slots=True)
class CsdCommandSpec:
    name: str
    abbr: str
    abbr_confirmed: bool = False
    doc: str | None = None
    link: str | None = None
    resource: str = "none"
    csdup_only: bool = False
    ceda_only: bool = False
    keywords: dict[str, CsdKeywordSpec] = field(default_factory=dict)


@dataclass(slots=True)
class Resolution:
    """How a written (possibly abbreviated) word resolved."""

    status: str  # "exact", "abbrev", "short", "ambiguous", "unknown"
    name: str | None
    candidates: tuple[str, ...] = ()


# The resolution of a name written in full is the same wherever it is written:
# one shared (and never changed) Resolution per name of the catalogue, instead
# of one per keyword of every parsed command (180,000 of them in a
# 100,000-line CSD file).  Bounded: only names that are in a catalogue.
_EXACT: dict[str, Resolution] = {}


def resolve_abbreviation(written: str, specs: dict) -> Resolution:
    """Resolve ``written`` against specs that have ``abbr``/``abbr_confirmed``.

    * exact: the full name;
    * abbrev: a prefix at least as long as the minimum abbreviation of exactly
      one name;
    * short: a prefix of exactly one name but shorter than its documented
      minimum abbreviation;
    * ambiguous: a prefix of several names, none of which it settles;
    * unknown: a prefix of none.
    """
    w = written.upper()
    if w in specs:
        res = _EXACT.get(w)
        if res is None:
            res = _EXACT[w] = Resolution("exact", w)
        return res
    # Keywords that exist only in old releases match when written in full, so
    # that they never make a current keyword's abbreviation ambiguous.
    cands = [name for name in specs if name.startswith(w) and not _obsolete(specs[name])]
    if not cands:
        return Resolution("unknown", None)
    valid = [name for name in cands if len(w) >= len(specs[name].abbr)]
    if len(valid) == 1:
        return Resolution("abbrev", valid[0], tuple(cands))
    if len(valid) > 1:
        return Resolution("ambiguous", None, tuple(sorted(valid)))
    if len(cands) == 1:
        return Resolution("short", cands[0], tuple(cands))
    return Resolution("ambiguous", None, tuple(sorted(cands)))


def _obsolete(spec: object) -> bool:
    releases = getattr(spec, "releases", None)
    return isinstance(releases, str) and releases.lstrip().startswith("<")


class CsdCatalogue:
    def __init__(self) -> None:
        self.commands: dict[str, CsdCommandSpec] = {}
        self.resource_types: dict[str, CsdResourceSpec] = {}

    def add(self, data: dict) -> None:
        for name, raw in data.get("commands", {}).items():
            self.commands[name] = CsdCommandSpec(
                name=name,
                abbr=raw.get("abbr") or name,
                abbr_confirmed=bool(raw.get("abbrConfirmed", False)),
                doc=raw.get("doc"),
                link=raw.get("link"),
                resource=raw.get("resource", "none"),
                csdup_only=bool(raw.get("csdupOnly", False)),
                ceda_only=bool(raw.get("cedaOnly", False)),
                keywords={k: CsdKeywordSpec.from_raw(k, v) for k, v in raw.get("keywords", {}).items()},
            )
        for name, raw in data.get("resourceTypes", {}).items():
            existing = self.resource_types.get(name)
            keywords = dict(existing.keywords) if existing else {}
            keywords.update({k: CsdKeywordSpec.from_raw(k, v) for k, v in raw.get("keywords", {}).items()})
            self.resource_types[name] = CsdResourceSpec(
                name=name,
                abbr=raw.get("abbr") or (existing.abbr if existing else name),
                abbr_confirmed=bool(raw.get("abbrConfirmed", existing.abbr_confirmed if existing else False)),
                doc=raw.get("doc", existing.doc if existing else None),
                link=raw.get("link", existing.link if existing else None),
                name_max_length=int(raw.get("nameMaxLength", existing.name_max_length if existing else 8)),
                keywords_complete=bool(raw.get("keywordsComplete", existing.keywords_complete if existing else False)),
                keywords=keywords,
            )

    def command(self, written: str) -> Resolution:
        return resolve_abbreviation(written, self.commands)

    def resource_type(self, written: str) -> Resolution:
        return resolve_abbreviation(written, self.resource_types)


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Catalogue:
    liberty: LibertyCatalogue
    csd: CsdCatalogue
    files: tuple[Path, ...] = ()
    problems: tuple[str, ...] = ()


# Folders beside the catalogue files that hold other data (editor snippets).
NOT_CATALOGUE_DIRS = ("snippets", "tls")


def _catalogue_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        if d.is_dir():
            files.extend(
                sorted(
                    p
                    for p in d.rglob("*.json")
                    if p.name != "catalogue.schema.json" and not any(part in NOT_CATALOGUE_DIRS for part in p.relative_to(d).parts[:-1])
                )
            )
    return files


def load_catalogue(extra_dirs: Iterable[Path] = (), base_dirs: Iterable[Path] | None = None) -> Catalogue:
    """Load and merge every catalogue file.  A file that cannot be read is
    reported in ``problems`` and skipped; it never stops the others."""
    bases = tuple(str(p) for p in (list(base_dirs) if base_dirs is not None else default_schema_dirs()))
    extras = tuple(str(p) for p in extra_dirs)
    return _load(bases, extras, _signature(bases + extras))


def _signature(dirs: tuple[str, ...]) -> tuple:
    """Names, sizes and modification times of the catalogue files: a file
    that is edited, added or removed makes the next load read them again
    (the language server runs for a long time)."""
    sig = []
    for path in _catalogue_files(Path(d) for d in dirs):
        try:
            st = path.stat()
        except OSError:
            continue
        sig.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(sig)


@lru_cache(maxsize=8)
def _load(bases: tuple[str, ...], extras: tuple[str, ...], _files: tuple = ()) -> Catalogue:
    entries: list[tuple[int, int, Path, dict]] = []
    problems: list[str] = []
    order = 0
    for group, dirs in ((0, bases), (1, extras)):
        for path in _catalogue_files(Path(d) for d in dirs):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                problems.append(f"{path}: cannot read catalogue file: {exc}")
                continue
            if not isinstance(data, dict) or data.get("kind") not in ("liberty", "csd"):
                problems.append(f"{path}: not a zcsec catalogue file (needs \"kind\": \"liberty\" or \"csd\")")
                continue
            default_priority = 20 if group else 10
            entries.append((int(data.get("priority", default_priority)), order, path, data))
            order += 1
    entries.sort(key=lambda e: (e[0], e[1]))
    liberty, csd = LibertyCatalogue(), CsdCatalogue()
    for _, _, _, data in entries:
        try:
            (liberty if data["kind"] == "liberty" else csd).add(data)
        except (AttributeError, TypeError, KeyError, ValueError) as exc:
            problems.append(f"catalogue entry does not fit the format: {exc}")
    return Catalogue(liberty, csd, tuple(e[2] for e in entries), tuple(problems))
