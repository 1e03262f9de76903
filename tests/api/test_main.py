"""The command line of the API passes the environment and version to the loader."""

from __future__ import annotations

import importlib

import pytest

from customer_segmentation.api import __main__ as cli
from customer_segmentation.api import app, service


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> dict:
    calls: dict = {}

    def load(project_path, env, model_version):
        calls.update(env=env, model_version=model_version)
        return object()

    monkeypatch.setattr(service, "load_scoring_service", load)
    monkeypatch.setattr(app, "create_app", lambda loaded: loaded)
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


def test_processes_option_starts_that_many_server_processes(loaded, monkeypatch):
    started: dict = {}
    monkeypatch.setattr(
        cli.uvicorn, "run", lambda app, **kwargs: started.update(app=app, **kwargs)
    )
    monkeypatch.setenv(cli.SERVING_OPTIONS, "")  # restored after the test

    cli.main(["--processes", "3", "--env", "wholesale"])

    assert started["workers"] == 3
    assert started["factory"] is True
    assert loaded == {}  # each server process loads the bundle itself
    module, function = started["app"].split(":")
    assert getattr(importlib.import_module(module), function) is (
        cli.serving_app_from_environment
    )
    cli.serving_app_from_environment()
    assert loaded == {"env": "wholesale", "model_version": None}


def test_processes_below_one_are_refused(loaded, capsys):
    with pytest.raises(SystemExit):
        cli.main(["--processes", "0"])

    assert "--processes 0: give 1 or more" in capsys.readouterr().err
