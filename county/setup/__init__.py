"""The county set-up workbook: read, check, apply all-or-nothing, write.

See docs/setup_county.md.
"""
