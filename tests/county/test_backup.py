"""Backups restore: the database and the uploaded evidence come back whole, elsewhere.

The main test backs up the demo county plus uploaded evidence with django-dbbackup's own
commands (as ``docs/deploy.md`` tells an operator to), restores both into a *new* PostgreSQL
database and a *new* media folder, and compares every table of the schema (row count and
content) and every file (SHA-256). The tests need ``transaction=True``: ``pg_dump`` runs in
another process and sees only committed data.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django_celery_beat.models import PeriodicTask

from county.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]

# A few evidence files as staff upload them: a photo-like binary, a PDF-like file, Chinese names.
EVIDENCE = [
    ("现场照片.jpg", b"\xff\xd8\xff\xe0" + os.urandom(200_000)),
    ("整改报告.pdf", b"%PDF-1.7\n" + os.urandom(50_000)),
    ("会议纪要 2026.docx", os.urandom(5_000)),
]


def database_url(name):
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = quote(db["PASSWORD"] or "")
    return f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def admin_connection():
    """A connection to the server's maintenance database, for CREATE/DROP DATABASE."""
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    conn.autocommit = True
    return conn


def manage(*args, database, media_root, backup_root):
    """Run ``manage.py`` as an operator would, against the given database and folders."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(database),
        "MEDIA_ROOT": str(media_root),
        "BACKUP_ROOT": str(backup_root),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def snapshot(dbname):
    """Every table of the public schema: (row count, digest of its rows), and the sequences."""
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=dbname,
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
            tables = [name for (name,) in cursor.fetchall()]
            result = {}
            for table in tables:
                cursor.execute(
                    "SELECT count(*), "
                    "md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                    f' FROM "{table}" t'
                )
                result[table] = cursor.fetchone()
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public' ORDER BY 1"
            )
            sequences = dict(cursor.fetchall())
        return result, sequences
    finally:
        conn.close()


def file_digests(folder):
    folder = Path(folder)
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def add_evidence(user_named):
    """A progress report with attachments, stored through the model's FileField."""
    from reforms.models import Attachment, ProgressReport, SubTask

    staff = user_named("d21")
    subtask = SubTask.objects.filter(units=staff.unit).first()
    report = ProgressReport.objects.create(
        subtask=subtask,
        text="备份演练：现场核查已完成。",
        percent=60,
        author=staff,
        unit=staff.unit,
    )
    for name, data in EVIDENCE:
        Attachment.objects.create(
            report=report,
            file=ContentFile(data, name=name),
            name=name,
            size=len(data),
            content_type="application/octet-stream",
        )
    AuditEvent.objects.create(action=AuditEvent.Action.IMPORT, username="d21", target="备份演练")
    return report


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_new_database_and_media_folder(demo, user_named, settings, tmp_path):
    media, restored_media, backups = tmp_path / "media", tmp_path / "restored", tmp_path / "backups"
    settings.MEDIA_ROOT = media
    add_evidence(user_named)
    source = connection.settings_dict["NAME"]
    target = f"{source}_restored"
    folders = {"media_root": media, "backup_root": backups}

    manage("dbbackup", "--noinput", database=source, **folders)
    manage("mediabackup", "--noinput", database=source, **folders)
    listing = manage("listbackups", database=source, **folders)
    names = sorted(path.name for path in backups.iterdir() if not path.name.endswith(".metadata"))
    assert len(names) == 2 and all(name in listing for name in names), listing
    db_backup = next(name for name in names if name.endswith(".psql.bin"))
    media_backup = next(name for name in names if name.endswith(".tar"))

    admin = admin_connection()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
            cursor.execute(f'CREATE DATABASE "{target}" OWNER "{connection.settings_dict["USER"]}"')
        restored = {"media_root": restored_media, "backup_root": backups}
        manage("dbrestore", "--noinput", "-i", db_backup, database=target, **restored)
        manage("mediarestore", "--noinput", "-i", media_backup, database=target, **restored)

        tables, sequences = snapshot(source)
        restored_tables, restored_sequences = snapshot(target)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()

    # The comparison means something: the whole schema, the demo county, the new evidence.
    assert {"county_unit", "county_auditevent", "reforms_attachment"} <= tables.keys()
    assert len(tables) > 40
    assert sum(count for count, _ in tables.values()) > 10_000
    assert tables["reforms_attachment"][0] >= len(EVIDENCE)
    assert restored_tables.keys() == tables.keys()
    for table, (count, digest) in tables.items():
        assert restored_tables[table] == (count, digest), f"{table}: {restored_tables[table]}"
    assert restored_sequences == sequences

    files = file_digests(media)
    assert len(files) == len(EVIDENCE)
    assert file_digests(restored_media) == files
    # Each restored attachment row points at a restored file with the uploaded content.
    expected = {name: hashlib.sha256(data).hexdigest() for name, data in EVIDENCE}
    conn = psycopg2.connect(database_url(source))
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT name, file FROM reforms_attachment")
        for name, path in cursor.fetchall():
            if name in expected:
                assert files[path] == expected[name]
    conn.close()


@pytest.mark.django_db(transaction=True)
def test_scheduled_backup_writes_both_files_keeps_the_newest_and_is_audited(
    settings, tmp_path, monkeypatch
):
    """The Celery task (as beat starts it) backs up, cleans beyond BACKUP_KEEP, records."""
    import dbbackup.settings as dbbackup_settings

    from county.backup.tasks import backup

    media, backups = tmp_path / "media", tmp_path / "backups"
    (media / "environment").mkdir(parents=True)
    (media / "environment" / "photo.jpg").write_bytes(b"\xff\xd8" + os.urandom(1000))
    settings.MEDIA_ROOT = media
    # dbbackup reads its storage and media path once, when it is first imported.
    monkeypatch.setattr(dbbackup_settings, "STORAGE_OPTIONS", {"location": str(backups)})
    monkeypatch.setattr(dbbackup_settings, "MEDIA_PATH", str(media))
    monkeypatch.setattr(dbbackup_settings, "CLEANUP_KEEP", 1)
    monkeypatch.setattr(dbbackup_settings, "CLEANUP_KEEP_MEDIA", 1)
    backups.mkdir()
    for old in ("default-old-2020-01-01-020000.psql.bin", "old-2020-01-01-020000.tar"):
        (backups / old).write_bytes(b"old")

    written = backup.apply().get()

    assert len(written) == 2
    assert sorted(p.name for p in backups.iterdir() if not p.name.endswith(".metadata")) == sorted(
        written
    )  # the 2020 dump and tar were cleaned away (keep 1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.BACKUP)
    assert event.username == "系统"
    assert all(name in event.target for name in written)
    assert "备份到" in event.detail


@pytest.mark.django_db(transaction=True)
def test_failed_backup_is_audited_and_raised(settings, tmp_path, monkeypatch):
    import dbbackup.settings as dbbackup_settings

    from county.backup.service import run_backup

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setattr(dbbackup_settings, "STORAGE_OPTIONS", {"location": str(blocker / "sub")})

    with pytest.raises(OSError):
        run_backup()

    event = AuditEvent.objects.get(action=AuditEvent.Action.BACKUP)
    assert event.target == "备份失败"
    assert "错误" in event.detail


@pytest.mark.django_db
def test_the_nightly_backup_is_scheduled_at_two_in_the_morning():
    task = PeriodicTask.objects.get(name="每日备份")
    assert task.task == "county.backup.tasks.backup" and task.enabled
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, str(crontab.timezone)) == ("0", "2", "Asia/Shanghai")


def test_a_backup_folder_inside_the_uploaded_files_is_refused(tmp_path):
    """A tar of MEDIA_ROOT must never contain the backups themselves."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "county.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BACKUP_ROOT": str(tmp_path / "media" / "backups"),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "BACKUP_ROOT 不能位于 MEDIA_ROOT 之内" in result.stderr
    assert Path(settings.STORAGES["dbbackup"]["OPTIONS"]["location"]) == settings.BACKUP_ROOT
