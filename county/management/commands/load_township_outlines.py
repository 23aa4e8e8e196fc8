"""manage.py load_township_outlines FILE: township outlines from a GeoJSON file (the maps)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from county.places import MAX_GEOJSON_BYTES
from county.setup.outlines import load_outlines


class Command(BaseCommand):
    help = "从 GeoJSON 文件导入乡镇（街道）边界（每个乡镇一个 Feature，properties.name 为名称）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON 文件（FeatureCollection）")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        if path.stat().st_size > MAX_GEOJSON_BYTES:
            raise CommandError(f"文件超过 {MAX_GEOJSON_BYTES // 1024 // 1024} MB。")
        try:
            count = load_outlines(path.read_bytes())
        except ValidationError as error:
            raise CommandError("未导入：\n" + "\n".join(f"  {m}" for m in error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"已导入 {count} 个乡镇（街道）的边界。"))
