"""The web frame: what every HTTP answer of the platform shares.

The answer's caching rule (``private_cache``) and the API schema's error answers
(``api_errors``, a drf-spectacular hook). It imports Django and DRF's schema tools only, never
a workstream or another room of ``county/``.
"""
