"""County core: the project package and the shared app every workstream builds on."""

from .celery import app as celery_app

__all__ = ("celery_app",)
