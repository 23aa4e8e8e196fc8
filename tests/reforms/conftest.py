"""Fixtures of the reform ledger tests."""

from pathlib import Path

import pytest

from reforms.ledger import ReformLedger
from reforms.models import ReformItem

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "reform_ledger_2023.xlsx"


@pytest.fixture
def sample_bytes():
    return SAMPLE.read_bytes()


@pytest.fixture
def empty_ledger(demo):
    """The demo county without the demo reform items (so imports start from nothing)."""
    ReformItem.objects.all().delete()


@pytest.fixture
def imported(empty_ledger, sample_bytes):
    """The 2023 sample ledger imported into an empty ledger."""
    report = ReformLedger().run_import(sample_bytes, name=SAMPLE.name)
    assert report.ok, report.errors
    return report
