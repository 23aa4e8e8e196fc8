"""Deadline reminders: rules, the periodic scan, daily digests, escalation and 督办单.

Everything comes from ``county.registry.registry.dated_work()``; this package never
imports a workstream. ``service.run(day)`` is the one entry point, used by the Celery
task (beat, every day at 08:30 by default) and by ``manage.py send_reminders``.
"""
