#!/usr/bin/env python3
"""Liberty's feature resolution, followed from the *.feature sources of Open Liberty.

Used by tools/gen_liberty_runtime.py.  On its own, for each public feature short name
(matched case-insensitively) it prints the public short names that end up enabled when that
feature alone is listed in <featureManager>.

Usage: python tools/liberty_features.py <git-dir> [rev] [shortname ...] [--no-auto]
Source files: dev/com.ibm.websphere.appserver.features/visibility/{public,private,protected,auto}/**/*.feature
Model of FeatureResolverImpl (dev/com.ibm.ws.kernel.feature.core/.../FeatureResolverImpl.java):
  * an include "sym; ibm.tolerates:=\"a,b\"" has candidates [sym, base-a, base-b] (base = text before last '-',
    tolerated ones only considered when the preferred one is missing or is a singleton);
  * for singleton features only one version per base name may be selected; an include with one candidate
    selects it; with several candidates the decision is postponed; after a full pass the first postponed
    base is decided (first candidate acceptable to every postponed include) and the walk restarts;
  * non-singleton: first candidate is used;
  * auto features (IBM-Provision-Capability) are added when their osgi.identity filters are satisfied,
    then resolution is repeated. (No backtracking over conflicts: conflicts are just reported.)"""

import subprocess
import sys
import re
from collections import OrderedDict

ROOT = "dev/com.ibm.websphere.appserver.features/visibility"


def git(gd, *a):
    return subprocess.run(["git", "--git-dir", gd, *a], capture_output=True, text=True).stdout


def parse_props(text):
    props, buf = {}, ""
    for ln in text.splitlines():
        s = ln.strip()
        buf = (buf + " " + s) if buf else s
        if buf.endswith("\\"):
            buf = buf[:-1]
            continue
        if buf and not buf.startswith("#"):
            m = re.match(r"^([^=:\s]+)\s*[=:]\s*(.*)$", buf)
            if m:
                props[m.group(1)] = m.group(2).strip()
        buf = ""
    return props


def split_clauses(v):
    out, cur, q = [], "", False
    for ch in v:
        if ch == '"':
            q = not q
        if ch == "," and not q:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [c.strip() for c in out if c.strip()]


def parse_include(clause):
    parts = [x.strip() for x in clause.split(";")]
    tol = []
    for a in parts[1:]:
        m = re.match(r'ibm\.tolerates:?=\s*"?([^"]*)"?', a)
        if m:
            tol = [t.strip() for t in m.group(1).split(",") if t.strip()]
    return parts[0], tol


def base_version(sym):
    i = sym.rfind("-")
    if i >= 0 and re.fullmatch(r"\d+(\.\d+)*", sym[i + 1 :]):
        return sym[:i], sym[i + 1 :]
    return sym, None


def load(gd, rev):
    feats = {}
    for path in git(gd, "ls-tree", "-r", "--name-only", rev, ROOT).split():
        if not path.endswith(".feature"):
            continue
        p = parse_props(git(gd, "show", f"{rev}:{path}"))
        sym = p.get("symbolicName")
        if not sym:
            continue
        feats[sym] = dict(
            short=p.get("IBM-ShortName"),
            vis=p.get("visibility", "private"),  # default from cnf/resources/bnd/feature.props
            singleton=p.get("singleton", "false") == "true",
            kind=p.get("kind"),
            includes=[parse_include(c) for c in split_clauses(p.get("-features", ""))],
            provision=p.get("IBM-Provision-Capability"),
            path=path,
        )
    return feats


# --- minimal LDAP filter evaluation for IBM-Provision-Capability -------------------------
def ldap_eval(f, names):
    f = f.strip()
    assert f[0] == "(" and f[-1] == ")", f
    inner = f[1:-1].strip()
    op = inner[0]
    if op in "&|!":
        subs, depth, start = [], 0, None
        for i, ch in enumerate(inner[1:], 1):
            if ch == "(":
                if depth == 0:
                    start = i
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    subs.append(inner[start : i + 1])
        vals = [ldap_eval(s, names) for s in subs]
        return all(vals) if op == "&" else any(vals) if op == "|" else not vals[0]
    k, _, v = inner.partition("=")
    k = k.strip()
    v = v.strip()
    if k == "type":
        return v == "osgi.subsystem.feature"
    if k == "osgi.identity":
        return v in names
    return True


def auto_satisfied(spec, names):
    filters = re.findall(r'filter:="([^"]*)"', spec)
    return bool(filters) and all(ldap_eval(f, names) for f in filters)


# --- resolution -------------------------------------------------------------------------
def _walk(feats, roots, selected):
    """One pass over the include graph with the current singleton selections.
    Returns (result, conflicts, postponed)."""
    selected = dict(selected)
    postponed, conflicts, result = OrderedDict(), [], set()

    def visit(sym):
        if sym in result:
            return
        result.add(sym)
        for inc, tol in feats[sym]["includes"]:
            b, _v = base_version(inc)
            cands = [inc] if inc in feats else []
            single = inc in feats and feats[inc]["singleton"]
            if tol and (not cands or single):
                for t in tol:
                    c = f"{b}-{t}"
                    if c in feats and c not in cands:
                        cands.append(c)
                        single |= feats[c]["singleton"]
            if not cands:
                continue  # missing feature: ignored
            if not single:
                visit(cands[0])
                continue
            if b in selected:
                keep = [c for c in cands if c == selected[b]]
                if not keep:
                    conflicts.append((b, selected[b], inc))
                    continue
                cands = keep
            if len(cands) > 1:
                postponed.setdefault(b, []).append(cands)
                continue
            for prior in postponed.pop(b, []):  # a forced choice settles a postponed decision
                if cands[0] not in prior:
                    conflicts.append((b, cands[0], "postponed:" + ",".join(prior)))
            selected.setdefault(b, cands[0])
            visit(cands[0])

    for r in roots:
        visit(r)
    return result, conflicts, postponed, selected


def _choices(lists):
    """Order of candidates as in FeatureResolverImpl.Chains.select: chains sorted by preferred
    version (lowest first); first each chain's preferred candidate, then every candidate;
    a candidate is acceptable only if every chain contains it."""

    def ver(c):
        v = base_version(c)[1] or "0"
        return tuple(int(x) for x in v.split("."))

    lists = sorted(lists, key=lambda candidates: ver(candidates[0]))
    order = [cands[0] for cands in lists] + [c for cands in lists for c in cands]
    seen, out = set(), []
    for c in order:
        if c not in seen:
            seen.add(c)
            if all(c in cands for cands in lists):
                out.append(c)
    return out


def resolve(feats, roots, budget=2000):
    """Depth-first search over postponed decisions (the resolver's permutations/backtracking);
    returns the first conflict-free result, else the one with the fewest conflicts."""
    start = {}
    for r in roots:
        if feats[r]["singleton"]:
            start[base_version(r)[0]] = r
    best = [None]
    counter = [0]

    def search(selected):
        counter[0] += 1
        if counter[0] > budget:
            return False
        result, conflicts, postponed, sel2 = _walk(feats, roots, selected)
        if not postponed or conflicts:  # conflicts never go away by deciding more: prune
            if best[0] is None or (not postponed and len(conflicts) < len(best[0][1])) or best[0][2]:
                best[0] = (result, conflicts, bool(postponed))
            return not postponed and not conflicts
        b, lists = next(iter(postponed.items()))
        choices = _choices(lists) or [lists[0][0]]
        for c in choices:
            nxt = dict(sel2)
            nxt[b] = c
            if search(nxt):
                return True
        return False

    search(start)
    return best[0][0], best[0][1]


def resolve_with_auto(feats, roots):
    roots = list(roots)
    while True:
        result, conflicts = resolve(feats, roots)
        added = [s for s, f in feats.items() if f["provision"] and s not in result and auto_satisfied(f["provision"], result)]
        if not added:
            return result, conflicts
        roots += sorted(added)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    no_auto = "--no-auto" in sys.argv
    gd = args[0]
    rev = args[1] if len(args) > 1 else "HEAD"
    want = args[2:]
    feats = load(gd, rev)
    short2sym = {f["short"].lower(): s for s, f in feats.items() if f["vis"] == "public" and f["short"]}
    for sn in want or sorted(short2sym):
        s = short2sym.get(sn.lower())
        if not s:
            print(f"{sn}: UNKNOWN")
            continue
        res, conf = resolve(feats, [s]) if no_auto else resolve_with_auto(feats, [s])
        pub = sorted(feats[x]["short"] for x in res if feats[x]["vis"] == "public" and feats[x]["short"] and x != s)
        line = f"{feats[s]['short']} [{feats[s]['kind']}]: {', '.join(pub)}"
        if conf:
            line += f"   CONFLICTS: {sorted(set(conf))}"
        print(line)


if __name__ == "__main__":
    main()
