"""Backups of the database and the uploaded evidence (django-dbbackup).

:func:`county.backup.service.run_backup` writes one database dump (``pg_dump`` custom format
on PostgreSQL, an SQLite copy in the demo) and one tar of ``MEDIA_ROOT`` into the ``dbbackup``
storage (``BACKUP_ROOT``), keeps the newest ``BACKUP_KEEP`` of each and records the run in the
audit log. Celery beat starts it every night (:mod:`county.backup.tasks`, schedule created by
migration ``0005_backup_schedule``). Restoring is done with django-dbbackup's own commands,
as written in ``docs/deploy.md`` (备份与恢复).
"""
