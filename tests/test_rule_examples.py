"""Every rule's documented examples, run as tests (as pylint runs the
examples of its messages): the bad example must produce the rule's code and
the good one must not.  The format of an example is described by
zcsec.rules.registry.example_files.  A rule whose examples cannot be written
as files says why (example_untestable) and shows none.

Also: every rule is defined in the module that module_for names."""

from __future__ import annotations

from pathlib import Path

import pytest

from zcsec.analysis import analyse
from zcsec.rules import RULES
from zcsec.rules.registry import example_files, module_for

CODES = sorted(RULES)


def codes_of(base: Path, example: str) -> set[str]:
    """The codes zcsec reports for ``example`` written into ``base``."""
    for name, text in example_files(example).items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return {f.code for f in analyse([str(base)]).findings}


@pytest.mark.parametrize("code", CODES)
def test_examples_run(tmp_path, code):
    r = RULES[code]
    if r.example_untestable is not None:
        assert r.example_untestable.strip(), code
        assert r.bad is None and r.good is None, f"{code}: examples that are shown must run"
        return
    assert r.bad and r.good, f"{code}: give a bad and a good example, or say why there can be none (example_untestable)"
    assert code in codes_of(tmp_path / "bad", r.bad), f"{code}: the bad example is not reported"
    assert code not in codes_of(tmp_path / "good", r.good), f"{code}: the good example is reported"


@pytest.mark.parametrize("code", CODES)
def test_rule_lives_in_the_module_its_code_names(code):
    r = RULES[code]
    assert r.check.__module__ == f"zcsec.rules.{module_for(code, r.category)}"
    assert r.source_file == f"server/zcsec/rules/{module_for(code, r.category)}.py"
    assert (Path(__file__).resolve().parents[1] / r.source_file).is_file()


@pytest.mark.parametrize("code", sorted(c for c, r in RULES.items() if r.fix_safe))
def test_a_safe_fix_applied_to_the_bad_example_removes_the_finding(tmp_path, code):
    """Issue 16: what "fix all" and --fix apply really fixes what it says:
    on the rule's own bad example, every file rewritten by the safe fixes,
    the finding is gone and nothing new is an error."""
    from zcsec import fixing

    r = RULES[code]
    before = codes_of(tmp_path, r.bad)
    assert code in before
    result = analyse([str(tmp_path)])
    plans = fixing.plan(result.findings)
    assert plans, f"{code}: no safe fix was offered for the bad example"
    for path, p in plans.items():
        old = result.workspace.store.source(path).text
        fixing.write(path, old, fixing.apply(old, p.edits))
    after = analyse([str(tmp_path)]).findings
    assert code not in {f.code for f in after}
    errors_before = {f.code for f in result.findings if f.severity == 1}
    assert {f.code for f in after if f.severity == 1} <= errors_before
