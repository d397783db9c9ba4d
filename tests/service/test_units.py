"""Small parts of the service: settings, field paths and cursors, rate limiter, key cache."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from rocketpost.errors import InputError
from rocketpost.service.app import echoable
from rocketpost.service.auth import ApiKeyCache, hash_key, new_api_key, new_id, random_text
from rocketpost.service.capacity import grams
from rocketpost.service.consignment import check_ready_at
from rocketpost.service.db import SqliteWriteLock, upgrade
from rocketpost.service.errors import field_loc
from rocketpost.service.merchants import create_merchant
from rocketpost.service.models import Merchant
from rocketpost.service.ratelimit import RateLimiter
from rocketpost.service.reads import MAX_CURSOR_ID, decode_cursor, encode_cursor
from rocketpost.service.settings import Settings, normalise_database_url


def test_settings_from_env_and_overrides() -> None:
    env = {
        "ROCKETPOST_DATABASE_URL": "postgresql://u@127.0.0.1:5432/db",
        "ROCKETPOST_RATE_LIMIT_PER_MIN": "120",
        "ROCKETPOST_WEBHOOKS": "0",
        "ROCKETPOST_MAX_BODY_BYTES": "1000",
    }
    s = Settings.from_env(env, port=9000, network=None)
    assert s.database_url == "postgresql+psycopg://u@127.0.0.1:5432/db"
    assert (s.rate_limit_per_min, s.webhooks, s.max_body_bytes, s.port) == (
        120.0,
        False,
        1000,
        9000,
    )
    assert Settings.from_env({}).database_url == "sqlite:///rocketpost.db"
    assert Settings.from_env(Settings(port=81).to_env()).port == 81
    with pytest.raises(InputError, match="ROCKETPOST_PORT"):
        Settings.from_env({"ROCKETPOST_PORT": "eighty"})
    # A duration that is not a finite number is refused by name (inf would overflow a scrub's
    # count of waves in its window, NaN leave a quote's lifetime undefined).
    for name, text in (
        ("ROCKETPOST_RESCHEDULE_WINDOW_MIN", "inf"),
        ("ROCKETPOST_QUOTE_TTL_S", "nan"),
        ("ROCKETPOST_FLIGHT_BOARD_TTL_S", "-1"),
    ):
        with pytest.raises(InputError, match="finite number ≥ 0"):
            Settings.from_env({name: text})
    with pytest.raises(InputError, match="database_url"):
        normalise_database_url("mysql://x")


def test_field_loc_and_cursor() -> None:
    assert field_loc("customs.items[0].hs_code") == ["body", "customs", "items", 0, "hs_code"]
    assert field_loc("cursor", ("query",)) == ["query", "cursor"]
    assert decode_cursor(encode_cursor(1234)) == 1234
    with pytest.raises(InputError):
        decode_cursor("c1.!!")
    assert grams(0.0011) == 2 and grams(9_900.0) == 9_900_000


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor(MAX_CURSOR_ID + 1),  # over PostgreSQL's int4 primary keys
        encode_cursor(2**63),  # over SQLite's and bigint's
        encode_cursor(0),
        "c1.LTE",  # -1
        "c1.MDE",  # "01": not encode_cursor's spelling
        "c1.KzE",  # "+1"
        "c1.MV8w",  # "1_0": int() would take it
        "c1.IDE",  # " 1"
        "c1.MTIz==",
        "c1.MTIz\n",
        "c1.wqE",
        "c1." + "A" * 17,
        "c2.MTIz",
        "c1.",
        "",
        "c1.MTIz\u00e9",
    ],
)
def test_cursors_this_api_never_issued_are_refused(cursor: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_cursor(cursor)
    assert caught.value.field == "query.cursor"


def test_cursor_round_trip_at_the_bounds() -> None:
    for last_id in (1, 9, 10, 123_456, MAX_CURSOR_ID):
        assert decode_cursor(encode_cursor(last_id)) == last_id
    assert decode_cursor(None) is None


def test_echoable_inputs_are_valid_json() -> None:
    assert echoable(math.nan) == "NaN"
    assert echoable(math.inf) == "Infinity" and echoable(-math.inf) == "-Infinity"
    assert echoable(1.5) == 1.5 and echoable(True) is True and echoable(None) is None
    assert echoable(7) == 7 and echoable(10**400) == "<integer of 1329 bits>"
    assert echoable({"a": math.nan}) is None and echoable([1]) is None
    assert echoable(Decimal("1.5"), containers_as="str") == "1.5"
    for value in (math.nan, math.inf, 10**400, {"a": math.nan}):
        json.dumps(echoable(value, containers_as="str"), allow_nan=False)


def test_token_bucket() -> None:
    now = [0.0]
    limiter = RateLimiter(60, 2, clock=lambda: now[0])
    assert [limiter.acquire("a") for _ in range(2)] == [0.0, 0.0]
    wait = limiter.acquire("a")
    assert wait == pytest.approx(1.0)
    assert limiter.acquire("b") == 0.0
    now[0] = 1.0
    assert limiter.acquire("a") == 0.0
    assert RateLimiter(0, 1).acquire("a") == 0.0
    assert RateLimiter.retry_after_header(0.2) == "1"


def test_api_keys_hashed_and_cached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'k.db'}"
    upgrade(url)
    merchant_id, key = create_merchant(url, "Acme")
    assert key.startswith("rp_live_") and key != new_api_key()
    from rocketpost.service.db import Database

    db = Database.connect(url, pool_size=1)
    try:
        with db.session() as session:
            stored = session.scalars(select(Merchant.api_key_hash)).one()
        assert stored == hash_key(key) and key not in stored
        cache = ApiKeyCache(db.session)
        principal = cache.resolve(key)
        assert principal is not None and principal.merchant_id == merchant_id
        assert cache.resolve("rp_live_wrong") is None
        db.dispose()  # a cached key no longer needs the database
        assert cache.resolve(key) == principal
    finally:
        db.dispose()


def test_random_text_alphabet_length_and_spread() -> None:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    texts = [random_text(alphabet, 12) for _ in range(2_000)]
    assert all(len(t) == 12 and set(t) <= set(alphabet) for t in texts)
    assert len(set(texts)) == len(texts)
    # Every character at every position: a broken base conversion (e.g. a constant digit) fails.
    for position in range(12):
        assert len({t[position] for t in texts}) == len(alphabet)
    assert new_id("shp_").startswith("shp_") and len(new_id("shp_")) == 20


def test_sqlite_write_lock_excludes_other_processes_and_threads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import fcntl
    import os
    import threading

    path = str(tmp_path / "x.db")
    lock = SqliteWriteLock(path)
    other = os.open(path + ".writelock", os.O_RDWR | os.O_CREAT)  # as another process would
    entered = threading.Event()

    def writer() -> None:
        with lock:
            entered.set()

    try:
        with lock:
            with lock:  # re-entrant in one thread
                pass
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            waiter = threading.Thread(target=writer)
            waiter.start()
            assert not entered.wait(0.2)  # another thread of this process waits too
        waiter.join(10)
        assert entered.is_set()
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: free for other processes
        fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        os.close(other)
        lock.close()


def test_check_ready_at_never_overflows() -> None:
    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    for extreme in (
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=14))),
        datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))),
        datetime.max.replace(tzinfo=UTC),
    ):
        with pytest.raises(InputError) as caught:
            check_ready_at(extreme, now)
        assert caught.value.field == "ready_at"
    assert check_ready_at(None, now) == now
    assert check_ready_at(now + timedelta(days=30), now) == now + timedelta(days=30)
