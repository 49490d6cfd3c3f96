"""Every session the fuzz campaign ever saw fail (tests/fuzz/crashes/*.json)
is replayed against a fresh ``zcsec serve``: the server must answer every
request, answer a final one, and log no internal error."""

from __future__ import annotations

import json

import pytest

from hardening_support import ROOT  # noqa: F401  (puts the repository on sys.path)
from tests.fuzz.run import CRASHES, replay

CASES = sorted(CRASHES.glob("*.json"))


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_saved_crash_stays_fixed(case, tmp_path):
    record = json.loads(case.read_text())
    problems = replay(record, tmp_path)
    assert problems == [], f"{case.name} ({record['failures'][0]['kind']}, seed {record.get('seed')}): " + "; ".join(problems)


def test_there_are_saved_crashes():
    """The folder is not empty: the campaign has found crashes before, and
    each is kept (see tests/fuzz/crashes/README.md)."""
    assert CASES
