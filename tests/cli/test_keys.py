"""``credence keys`` creates (secret shown once), lists (never secrets) and revokes keys."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from credence.api.auth import authenticate
from credence.cli import app
from credence.errors import AuthenticationError
from credence.workspace import open_workspace


def test_keys_create_list_revoke(built):
    runner = CliRunner()
    ws = ["--workspace", str(built["root"])]
    r = runner.invoke(app, ["keys", "create", "--role", "partner", "--name", "stayeasy", *ws])
    assert r.exit_code == 0, r.output
    secret = re.search(r"cred_\S+", r.output).group(0)
    key_id = secret.split("_")[1]
    listed = runner.invoke(app, ["keys", "list", *ws])
    assert key_id in listed.output and secret not in listed.output
    assert runner.invoke(app, ["keys", "revoke", key_id, *ws]).exit_code == 0
    w = open_workspace(built["root"])
    try:
        stored = w.store.query("SELECT key_hash, revoked_at FROM api_keys WHERE key_id = ?", [key_id])[0]
        assert stored["revoked_at"] is not None and secret not in stored["key_hash"]
        with pytest.raises(AuthenticationError, match="revoked"):
            authenticate(w.store, secret)
    finally:
        w.close()


def test_keys_create_refuses_unknown_role(built):
    r = CliRunner().invoke(app, ["keys", "create", "--role", "king", "--name", "x", "--workspace", str(built["root"])])
    assert r.exit_code != 0
