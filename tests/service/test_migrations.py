"""The migrations against the models, on both backends: every column's type and width in the
migrated database is what ``models.py`` declares (a model widened without a migration, or a
migration the model does not know, fails here)."""

from __future__ import annotations

import sqlalchemy as sa

from rocketpost.service.db import make_engine
from rocketpost.service.models import Base


def test_the_migrated_columns_are_the_models_columns(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1)
    try:
        inspector = sa.inspect(engine)
        for table in Base.metadata.sorted_tables:
            migrated = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
            assert set(migrated) == {c.name for c in table.columns}, table.name
            for column in table.columns:
                declared = getattr(column.type, "length", None)
                found = getattr(migrated[column.name], "length", None)
                if isinstance(column.type, sa.String) and declared is not None:
                    assert found == declared, (table.name, column.name, found, declared)
    finally:
        engine.dispose()
