"""Precision on real configurations (issue 10): zcsec over ../shared/corpus,
compared with the committed labels (tests/corpus/labels.json).  The corpus
is third-party material that is never copied into this repository, so on a
clone without ../shared next to it these tests skip."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("zcsec_corpus_tool", ROOT / "tools" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus  # dataclasses look their module up there
_spec.loader.exec_module(corpus)

pytestmark = pytest.mark.skipif(
    not corpus.DEFAULT_CORPUS.is_dir(), reason=f"the real-configuration corpus is not at {corpus.DEFAULT_CORPUS} (it lives outside the repository)"
)


@pytest.fixture(scope="module")
def comparison():
    return corpus.compare(corpus.DEFAULT_CORPUS, corpus.DEFAULT_LABELS)


def test_every_finding_is_labelled(comparison):
    assert comparison.unlabelled == [], [s.key for s in comparison.unlabelled]


def test_no_labelled_finding_is_lost(comparison):
    # A change that removes noise must not remove a real problem.
    assert comparison.gone == [], [g["key"] for g in comparison.gone]


def test_precision_targets(comparison):
    st = comparison.stats()
    assert st["wrong"] == 0
    assert st["precision"] >= corpus.MIN_PRECISION, st
    assert st["arguable_per_file"] <= corpus.MAX_ARGUABLE_PER_FILE, st


def test_labels_are_well_formed():
    labels = corpus.load_labels(corpus.DEFAULT_LABELS)
    assert labels
    for key, item in labels.items():
        assert item["label"] in corpus.LABELS, key
        assert item["reason"].strip(), key
