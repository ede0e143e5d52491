"""Schema migrations (loopbrug/db/migrate.py), on SQLite and on a real PostgreSQL.

Three starting points: an empty database, a database as the helpline made it before
migrations (every table from create_all, no alembic_version), and an older one that has only
some of the tables (each process used to create only the tables it used). After an upgrade
the database matches the models exactly, and nothing stored before is lost.
"""

from __future__ import annotations

import threading
from typing import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from loopbrug.db import migrate
from loopbrug.db.schema import metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path) -> Iterator[sa.engine.Engine]:
    """A new, empty database of each kind (plain engines: get_engine would migrate)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'helpline.db'}"
    else:
        server = request.getfixturevalue("postgres")
        url = server.new_database(f"m_{tmp_path.name.lower().replace('-', '_')}"[:60])
    made = sa.create_engine(url, future=True)
    yield made
    made.dispose()


def differences(engine: sa.engine.Engine) -> list:
    """What autogenerate would change: empty when the database matches the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [
            diff
            for diff in compare_metadata(context, metadata())
            # alembic_version is Alembic's own table, not one of the models.
            if not (diff[0] == "remove_table" and diff[1].name == "alembic_version")
        ]


def tables(engine: sa.engine.Engine) -> set:
    return set(sa.inspect(engine).get_table_names())


def test_an_empty_database_gets_every_table_and_matches_the_models(engine):
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert tables(engine) == set(metadata().tables) | {"alembic_version"}
    assert differences(engine) == []


def test_a_database_made_before_migrations_keeps_its_rows(engine):
    metadata().create_all(engine)  # what every process did before migrations existed
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO loopbrug_profiles (person, answers, profile, created_at, updated_at)"
                " VALUES ('p1', '{}', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    assert migrate.current(engine) is None
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert differences(engine) == []
    with engine.connect() as connection:
        people = connection.execute(sa.text("SELECT person FROM loopbrug_profiles")).scalars()
        assert list(people) == ["p1"]


def test_an_older_database_with_some_tables_gets_the_missing_ones(engine):
    every = metadata()
    every.create_all(engine, tables=[every.tables["loopbrug_profiles"]])
    migrate.upgrade(engine)
    assert tables(engine) == set(every.tables) | {"alembic_version"}
    assert differences(engine) == []


def test_upgrading_twice_and_from_several_threads_at_once_is_harmless(engine):
    errors = []

    def run() -> None:
        try:
            migrate.upgrade(engine)
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    migrate.upgrade(engine)
    assert errors == []
    assert migrate.current(engine) == migrate.head()


def test_every_model_table_is_in_one_metadata_and_made_by_a_migration(tmp_path):
    """A table declared outside loopbrug.db.Base, or without a migration, fails here."""
    from loopbrug.db import Base

    assert metadata() is Base.metadata
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}", future=True)
    migrate.upgrade(engine)
    assert set(Base.metadata.tables) <= tables(engine)


def test_the_command_upgrades_the_database_it_is_given(tmp_path, capsys):
    from loopbrug.db.__main__ import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["upgrade", "--url", url]) == 0
    assert f"at {migrate.head()}" in capsys.readouterr().out
    assert main(["current", "--url", url]) == 0
    assert capsys.readouterr().out.strip() == migrate.head()


def test_no_code_creates_tables_behind_the_migrations_back():
    """create_all on a running database never adds a column; only migrations change tables."""
    from tests.conftest import ROOT

    offenders = [
        path.relative_to(ROOT).as_posix()
        for package in ("loopbrug", "actions", "bot", "connectors", "web")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        and any(
            call in line and not line.lstrip().startswith("#")
            for line in path.read_text(encoding="utf-8").splitlines()
            for call in (".create_all(", "__table__.create(")
        )
    ]
    assert offenders == []


def test_tickets_of_revision_0003_get_their_search_text(engine):
    """0004 fills the inbox's search column for tickets made before it (loopbrug_tickets
    ``search_text``: reference, place, region and the summary's values, case-folded)."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(migrate.config(connection), "0003")
        connection.execute(
            sa.text(
                "INSERT INTO loopbrug_tickets (ref, person, conversation_id, channel, status,"
                " live, team, topic, urgency, region, gemeente, summary, contact_channel,"
                " consent_at, consent_version, created_at, updated_at) VALUES ('LB-ABCDEF',"
                " 'p1', 'web-1', 'rest', 'new', false, 'twente', 'werk', 3, 'Twente',"
                " 'Enschede', :summary, 'chat', CURRENT_TIMESTAMP, 'v1', CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)"
            ),
            {"summary": '{"reason": "Wil OMSCHOLEN", "messages": ["Één vraag"]}'},
        )
    migrate.upgrade(engine)
    assert differences(engine) == []
    with engine.connect() as connection:
        found = connection.execute(sa.text("SELECT search_text FROM loopbrug_tickets")).scalar()
    assert found == "lb-abcdef\nenschede\ntwente\nwil omscholen\néén vraag"
