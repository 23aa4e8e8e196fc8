"""Fixtures of the environment tests: problems, photos, a private media folder."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "environment_problems.xlsx"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded photos go to a folder of this test only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg_bytes(size=(2400, 1800), color=(40, 120, 60)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def jpeg():
    """jpeg("after.jpg") → an uploaded phone-sized JPEG."""
    return lambda name="after.jpg", size=(2400, 1800): SimpleUploadedFile(
        name, jpeg_bytes(size), content_type="image/jpeg"
    )


@pytest.fixture
def category(demo):
    from environment.models import ProblemCategory, ensure_seed_categories

    ensure_seed_categories()
    return lambda name="乱堆乱放": ProblemCategory.objects.get(name=name)


@pytest.fixture
def make_problem(demo, category, unit_named):
    """make_problem(township="城关镇", departments=[...], **fields) → a Problem."""
    from environment.models import Problem

    def make(township="城关镇", village="", departments=(), cat="乱堆乱放", **fields):
        town = unit_named(township)
        values = {
            "found_on": datetime.date(2030, 3, 1),
            "deadline": datetime.date(2030, 3, 15),
            "description": "测试问题：路边乱堆乱放",
            "village": town.villages.get(name=village) if village else None,
        }
        if village == "":
            values["village"] = town.villages.order_by("name").first()
        values.update(fields)
        problem = Problem.objects.create(
            number=Problem.next_number(), township=town, category=category(cat), **values
        )
        if departments:
            problem.departments.set([unit_named(d) for d in departments])
        return problem

    return make


@pytest.fixture
def sample_file():
    return SAMPLE
