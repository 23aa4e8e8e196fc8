"""The web frame: what every HTTP answer of the platform shares.

So far the answer's caching rule (``private_cache``). It imports Django only, never a
workstream or another room of ``county/``.
"""
