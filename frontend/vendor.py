"""Copy the control room's and the API docs' browser assets out of ``node_modules``.

Run by ``make assets`` after ``npm ci`` (``frontend/package-lock.json`` pins every version). Only
the files the pages load are copied, with each package's licence, into
``src/rocketpost/service/web/static/vendor/<package>/``; ``VERSIONS.json`` there records what was
copied. The pages load nothing from a CDN: this folder is all they need. Standard library only.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"
TARGET = HERE.parent / "src" / "rocketpost" / "service" / "web" / "static" / "vendor"

# package -> files (relative to the package) copied to vendor/<package>/ under the same name.
FILES: dict[str, tuple[str, ...]] = {
    "leaflet": (
        "dist/leaflet.js",
        "dist/leaflet.css",
        "dist/images/layers.png",
        "dist/images/layers-2x.png",
        "dist/images/marker-icon.png",
        "dist/images/marker-icon-2x.png",
        "dist/images/marker-shadow.png",
        "LICENSE",
    ),
    "topojson-client": ("dist/topojson-client.min.js", "LICENSE"),
    "world-atlas": ("countries-110m.json", "countries-50m.json", "LICENSE"),
    "swagger-ui-dist": (
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "favicon-32x32.png",
        "LICENSE",
        "NOTICE",
    ),
    "redoc": ("bundles/redoc.standalone.js", "bundles/redoc.standalone.js.LICENSE.txt", "LICENSE"),
}


# Remote URLs a bundle would fetch at run time, replaced when copying so that the pages stay
# offline: ReDoc's footer shows Redocly's logo from its CDN (the footer then shows no image).
REWRITES: dict[str, tuple[tuple[str, str], ...]] = {
    "redoc.standalone.js": (
        (
            "https://cdn.redoc.ly/redoc/logo-mini.svg",
            "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E",
        ),
    ),
}


def _copy(source: Path, out: Path) -> None:
    rewrites = REWRITES.get(out.name)
    if rewrites is None:
        shutil.copyfile(source, out)
        return
    text = source.read_text(encoding="utf-8")
    for old, new in rewrites:
        if old not in text:
            raise SystemExit(f"error: {source} no longer contains {old!r}; review REWRITES")
        text = text.replace(old, new)
    out.write_text(text, encoding="utf-8")


def _flat(name: str) -> str:
    """``dist/images/layers.png`` -> ``images/layers.png``; ``bundles/x.js`` -> ``x.js``."""
    for prefix in ("dist/", "bundles/"):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


def main() -> int:
    if not MODULES.is_dir():
        print(f"error: {MODULES} missing; run `npm ci` in {HERE} first", file=sys.stderr)
        return 2
    if TARGET.exists():
        shutil.rmtree(TARGET)
    versions = {}
    for package, names in FILES.items():
        source = MODULES / package
        meta = json.loads((source / "package.json").read_text())
        versions[package] = {"version": meta["version"], "license": meta.get("license")}
        for name in names:
            out = TARGET / package / _flat(name)
            out.parent.mkdir(parents=True, exist_ok=True)
            _copy(source / name, out)
    (TARGET / "VERSIONS.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    listed = ", ".join(f"{name} {info['version']}" for name, info in versions.items())
    print(f"vendored {listed} -> {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
