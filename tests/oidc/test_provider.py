"""The test provider's harness: without Node.js, CI fails and a laptop skips with a reason."""

from __future__ import annotations

import pytest

from tests.oidc import provider


@pytest.fixture
def no_node(monkeypatch):
    monkeypatch.setattr(provider.shutil, "which", lambda name: None)


def test_ci_fails_without_node(no_node, monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match=r"Node\.js is not installed"):
        provider.provider_start("http://localhost:1/oidc/callback/")


def test_a_laptop_skips_without_node_and_says_how_to_install_it(no_node, monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="apt-get install -y nodejs npm"):
        provider.provider_start("http://localhost:1/oidc/callback/")
