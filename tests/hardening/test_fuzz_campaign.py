"""The fuzz campaign, bounded for ``make test``: about a minute of mutated
documents and random requests against ``zcsec serve`` as a real process
(``make fuzz`` runs it for ten minutes).

ZCSEC_FUZZ_SECONDS sets the duration (0 skips it), ZCSEC_FUZZ_SEED the seed
(default: a fixed one, so that every run of the suite sends the same
mutations).  A failing session is saved to tests/fuzz/crashes/ (or
ZCSEC_FUZZ_CRASH_DIR), where test_fuzz_regressions.py replays it from then
on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hardening_support import ROOT  # noqa: F401  (puts the repository on sys.path)
from tests.fuzz.run import CRASHES, DEFAULT_SEED, campaign

SECONDS = float(os.environ.get("ZCSEC_FUZZ_SECONDS", "50"))
SEED = int(os.environ.get("ZCSEC_FUZZ_SEED", DEFAULT_SEED))


@pytest.mark.skipif(SECONDS <= 0, reason="ZCSEC_FUZZ_SECONDS=0")
def test_fuzz_campaign():
    crash_dir = Path(os.environ.get("ZCSEC_FUZZ_CRASH_DIR", CRASHES))
    found = campaign(SECONDS, SEED, crash_dir, verbose=False)
    report = "\n".join(f"{path}: {failures[0].kind}: {failures[0].detail[:500]}" for path, failures in found)
    assert not found, f"the fuzz campaign (seed {SEED}) found failing sessions, saved for replay:\n{report}"
