"""The web server's settings from the environment, and the one table of HTTP statuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelflow.errors import (
    AccessDenied,
    DatabaseError,
    InvalidArgument,
    InvalidMedia,
    InvalidScript,
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    ReelflowError,
    ServiceUnavailable,
    TooLarge,
)
from reelflow.settings import Settings
from reelflow.web.errors import error_name, status_of


def test_the_web_server_defaults_to_loopback_with_no_public_url_and_no_tokens(
        tmp_path: Path) -> None:
    settings = Settings.from_env({}, cwd=tmp_path)
    assert (settings.web_host, settings.web_port, settings.public_url) == ("127.0.0.1", 8800,
                                                                           None)
    assert settings.read_tokens == settings.admin_tokens == ()
    assert settings.public("/media/videos/a.mp4") is None


def test_tokens_are_comma_lists_and_never_shown_in_a_repr(tmp_path: Path) -> None:
    settings = Settings.from_env({"REELFLOW_READ_TOKENS": " one-token-of-16-chars , ,two",
                                  "REELFLOW_ADMIN_TOKENS": "admin-secret-value-1",
                                  "REELFLOW_PUBLIC_URL": "https://videos.example/",
                                  "REELFLOW_WEB_PORT": "9000",
                                  "REELFLOW_UPLOAD_MAX_MB": "3"}, cwd=tmp_path)
    assert settings.read_tokens == ("one-token-of-16-chars", "two")
    assert settings.admin_tokens == ("admin-secret-value-1",)
    assert "admin-secret-value-1" not in repr(settings)
    assert settings.public("/media/x.mp4") == "https://videos.example/media/x.mp4"
    assert (settings.web_port, settings.upload_max_bytes) == (9000, 3 * 2**20)


@pytest.mark.parametrize(("env", "words"), [
    ({"REELFLOW_WEB_PORT": "http"}, "REELFLOW_WEB_PORT"),
    ({"REELFLOW_WEB_PORT": "70000"}, "65535"),
    ({"REELFLOW_UPLOAD_MAX_MB": "0"}, "REELFLOW_UPLOAD_MAX_MB"),
    ({"REELFLOW_PUBLIC_URL": "videos.example"}, "http://"),
    ({"REELFLOW_MAX_RENDERS": "0"}, "REELFLOW_MAX_RENDERS"),
    ({"REELFLOW_MAX_RENDERS": "many"}, "REELFLOW_MAX_RENDERS"),
])
def test_a_malformed_web_setting_names_its_variable(tmp_path: Path, env: dict[str, str],
                                                    words: str) -> None:
    with pytest.raises(InvalidArgument, match=words):
        Settings.from_env(env, cwd=tmp_path)


@pytest.mark.parametrize(("error", "status", "name"), [
    (NotAuthenticated("x"), 401, "not_authenticated"),
    (AccessDenied("x"), 403, "access_denied"),
    (NotFound("x"), 404, "not_found"),
    (TooLarge("x"), 413, "too_large"),
    (InvalidMedia("x"), 415, "invalid_media"),
    (InvalidScript("x"), 422, "invalid_script"),
    (InvalidArgument("x"), 400, "invalid_argument"),
    (InvalidTransition("x"), 409, "invalid_transition"),
    (ServiceUnavailable("x"), 503, "service_unavailable"),
    (DatabaseError("x"), 503, "database_error"),
    (ReelflowError("x"), 500, "reelflow_error"),
])
def test_each_error_has_one_status(error: ReelflowError, status: int, name: str) -> None:
    assert (status_of(error), error_name(error)) == (status, name)


def test_the_render_limit_is_unset_by_default_and_a_whole_number_when_set(tmp_path: Path) -> None:
    assert Settings.from_env({}, cwd=tmp_path).max_renders is None
    assert Settings.from_env({"REELFLOW_MAX_RENDERS": "12"}, cwd=tmp_path).max_renders == 12
