"""Untrusted ids and numbers in query strings never reach int() or the database unchecked."""

import pytest

from county.inputs import MAX_ID, positive_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        (5, 5),
        ("²", None),
        ("０", None),
        ("0", None),
        ("-3", None),
        ("\x00", None),
        (str(2**63), None),
        (str(MAX_ID), MAX_ID),
        ("1" * 10_000, None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_positive_id_accepts_only_database_ids(raw, expected):
    assert positive_id(raw) == expected


@pytest.mark.parametrize(
    "url",
    [
        "/environment/?q=²",
        "/environment/?q=０",
        "/abandoned_land/parcels/?township=²",
        "/abandoned_land/parcels/?township=9223372036854775808",
    ],
)
def test_lists_answer_odd_numbers_without_a_server_error(client, user_named, url):
    client.force_login(user_named("sup_d18"))
    assert client.get(url).status_code == 200
