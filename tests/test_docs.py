"""The rules' documentation every diagnostic links to (codeDescription)."""

from __future__ import annotations

from zcsec.docs import rule_doc_uri, rules_doc
from zcsec.rules import RULES


def test_every_rule_has_the_section_its_diagnostics_link_to():
    doc = rules_doc()
    assert doc is not None, "docs/rules.md is neither in the checkout nor in the package"
    text = doc.read_text(encoding="utf-8")
    for code in RULES:
        assert rule_doc_uri(code) == f"{doc.as_uri()}#{code}"
        assert f"\n### {code}\n" in text, f"docs/rules.md has no section for {code}"
