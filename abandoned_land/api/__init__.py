"""The abandoned_land API."""
