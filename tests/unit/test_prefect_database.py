"""``reelflow up --database``: one PostgreSQL URL, the app's driver and Prefect's settings."""

from __future__ import annotations

import pytest

from reelflow.deployments.prefect_database import app_url, prefect_env
from reelflow.errors import InvalidArgument


def test_a_postgresql_url_gives_the_app_psycopg2_and_prefect_asyncpg_in_its_own_schema() -> None:
    url = "postgresql://reel:s3cret@db.example:6432/reelflow"
    assert app_url(url) == "postgresql+psycopg2://reel:s3cret@db.example:6432/reelflow"
    assert prefect_env(url) == {
        "PREFECT_API_DATABASE_CONNECTION_URL":
            "postgresql+asyncpg://reel:s3cret@db.example:6432/reelflow",
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_SEARCH_PATH": "prefect_server, public",
    }


def test_any_postgresql_driver_is_accepted_and_replaced() -> None:
    assert prefect_env("postgresql+psycopg2://u@h/d")["PREFECT_API_DATABASE_CONNECTION_URL"] \
        == "postgresql+asyncpg://u@h/d"


@pytest.mark.parametrize("url", ["sqlite:///x.db", "mysql://u@h/d", "postgresql://u@h",
                                 "not a url"])
def test_anything_but_a_postgresql_url_with_a_database_is_refused(url: str) -> None:
    with pytest.raises(InvalidArgument, match="--database"):
        prefect_env(url)
