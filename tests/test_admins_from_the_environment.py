"""ADMINS (who gets error reports) is read from the environment; a malformed address stops start-up naming it."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ratings_site.env import env_addresses


def test_addresses_with_and_without_a_name_are_read(monkeypatch):
    monkeypatch.setenv("ADMINS", "ops@example.org, Ana Lopez <ana@example.org>")

    assert env_addresses("ADMINS") == [("", "ops@example.org"), ("Ana Lopez", "ana@example.org")]


def test_none_set_means_no_reports(monkeypatch):
    monkeypatch.delenv("ADMINS", raising=False)

    assert env_addresses("ADMINS") == []


def test_a_malformed_address_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("ADMINS", "ops@example.org, ana at example.org")

    with pytest.raises(ImproperlyConfigured, match=r"ADMINS must be mail addresses .* got 'ana at example.org'"):
        env_addresses("ADMINS")
