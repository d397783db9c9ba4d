"""The vendored browser assets: what the lock file pins, with their licences, and no CDN."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rocketpost.service.web.routes import STATIC_DIR, TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
VENDOR = STATIC_DIR / "vendor"


def test_vendored_versions_are_the_locked_ones() -> None:
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())
    declared = json.loads((ROOT / "frontend" / "package.json").read_text())["dependencies"]
    vendored = json.loads((VENDOR / "VERSIONS.json").read_text())
    assert set(vendored) == set(declared)
    for package, info in vendored.items():
        assert lock["packages"][f"node_modules/{package}"]["version"] == info["version"]
        assert declared[package] == info["version"]  # exact pins, no ranges
        assert (VENDOR / package / "LICENSE").is_file()


def test_pages_and_scripts_reference_only_local_urls() -> None:
    remote = re.compile(r"""(?:src|href)\s*=\s*["']https?://|@import\s+url\(["']?https?://""")
    for path in [*TEMPLATES.glob("*.html"), *STATIC_DIR.glob("*.js"), *STATIC_DIR.glob("*.css")]:
        assert not remote.search(path.read_text()), path
    # The one remote image ReDoc's bundle loads is rewritten by frontend/vendor.py.
    assert "cdn.redoc.ly/redoc/logo-mini.svg" not in (
        VENDOR / "redoc" / "redoc.standalone.js"
    ).read_text(encoding="utf-8")
