"""The command line of the API passes the environment and version to the loader."""

from __future__ import annotations

import pytest

from customer_segmentation.api import __main__ as cli


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> dict:
    calls: dict = {}

    def load(project_path, env, model_version):
        calls.update(env=env, model_version=model_version)
        return object()

    monkeypatch.setattr(cli, "load_scoring_service", load)
    monkeypatch.setattr(cli, "create_app", lambda service: service)
    monkeypatch.setattr(cli, "configure_server_logging", lambda level: None)
    monkeypatch.setattr(cli.uvicorn, "run", lambda *args, **kwargs: None)
    return calls


def test_env_and_model_version_options_choose_the_bundle(loaded, monkeypatch):
    monkeypatch.delenv("KEDRO_ENV", raising=False)

    cli.main(["--env", "wholesale", "--model-version", "2026-01-01T00.00.00.000Z"])

    assert loaded == {"env": "wholesale", "model_version": "2026-01-01T00.00.00.000Z"}


def test_kedro_env_is_the_default_environment(loaded, monkeypatch):
    monkeypatch.setenv("KEDRO_ENV", "mall_customers")

    cli.main([])

    assert loaded == {"env": "mall_customers", "model_version": None}
