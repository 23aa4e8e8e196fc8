"""Fixtures of the planning tests: the sample file, a fresh import of it, users by unit."""

from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "plan_areas.xlsx"


@pytest.fixture
def sample_file():
    return SAMPLE


@pytest.fixture
def ledger():
    from landplan.ledger import PlanAreaLedger

    return PlanAreaLedger()


@pytest.fixture
def fresh(demo, ledger):
    """The sample imported as it is (the demo's moved dates removed first)."""
    from landplan.models import PlanArea

    PlanArea.objects.all().delete()
    report = ledger.run_import(SAMPLE, None, name=SAMPLE.name)
    assert report.ok, [str(e) for e in report.errors]
    return report


@pytest.fixture
def area(demo):
    """area("东安村级片区", "城关镇") → the area with that name in that township."""
    from landplan.models import PlanArea

    def find(name, township=None):
        qs = PlanArea.objects.filter(name=name)
        if township:
            qs = qs.filter(townships__name=township)
        return qs.get()

    return find


@pytest.fixture
def staff_of(demo):
    """staff_of("北坝镇") → a staff account of that unit."""
    from county.choices import Role
    from county.models import User

    return lambda unit: User.objects.filter(role=Role.STAFF, unit__name=unit).order_by("pk")[0]
