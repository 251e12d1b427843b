"""A write runs only the part of the schema's DDL that can change the store, and the store ends as DDL leaves it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from autotts.store.connection import open_store
from autotts.store.schema import DDL, TABLES, ddl_for

_CATALOG = "SELECT table_name, sql FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"


def test_ddl_less_no_table_is_ddl_and_less_every_table_is_the_migrations() -> None:
    whole, split = duckdb.connect(), duckdb.connect()
    whole.execute(DDL)
    statements = ddl_for(())
    for statement in [s for s in statements.split(";\n") if s.strip()]:
        assert len(split.extract_statements(statement)) == 1, statement  # split where DDL's statements end
    split.execute(statements)
    assert split.execute(_CATALOG).fetchall() == whole.execute(_CATALOG).fetchall()
    migrations = [line for line in ddl_for(TABLES).splitlines() if not line.startswith("--")]
    assert migrations and all(line.startswith("ALTER TABLE ") for line in migrations)


def test_a_write_restores_a_table_and_a_migrated_column_removed_by_hand(tmp_path: Path) -> None:
    store = tmp_path / "traces.duckdb"
    open_store(store).close()
    with duckdb.connect(str(store)) as con:
        con.execute("DROP TABLE trace_events")
        con.execute("ALTER TABLE evaluations DROP COLUMN origin")
    open_store(store).close()
    with open_store(store, read_only=True) as con:
        assert {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()} == set(TABLES)
        assert con.execute("SELECT origin FROM evaluations").fetchall() == []  # the column is back
