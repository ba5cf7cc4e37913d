"""The import-layer contract of docs/architecture.md: imports only go downwards, and only ui/, workers/ and
doctor.py touch Qt. Read from the source (every import statement, also those inside functions), so a module
that imports upward fails here before it makes a cycle or drags Qt into `sync`."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reach_studio"

# Small leaf modules at the top of the package that every layer above domain/ may use.
BASE = {"paths", "redaction", "printable", "bounded_http", "key_scope", "backoff", "resource_files"}
BELOW_ENGINE = {"domain", "store", "media", "kaltura"}
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "store": {"domain"} | BASE,
    "media": {"domain"} | BASE,
    "kaltura": {"domain", "store"} | BASE,
    "engine": BELOW_ENGINE | BASE,
    "live": BELOW_ENGINE | {"engine", "secret_store", "settings"} | BASE,
    "team": BELOW_ENGINE | {"engine", "settings"} | BASE,
    # the emulator plays Kaltura: it shares the domain's enums, media tools and the live caption schema only
    "emulator": {"domain", "media", "live"} | BASE,
    "workers": BELOW_ENGINE | {"engine", "live", "team", "secret_store", "settings"} | BASE,
    "ui": BELOW_ENGINE
    | {"engine", "live", "team", "workers", "emulator", "demo", "secret_store", "settings"}
    | BASE,
}
QT_ALLOWED = {"ui", "workers", "doctor"}
QT_MODULES = ("PySide6", "shiboken6")


def _imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in the file."""
    package = ["reach_studio", *path.relative_to(root).parent.parts]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                found.append((node.lineno, ".".join(base + ([node.module] if node.module else []))))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def _violations(root: Path = PACKAGE) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        layer = path.relative_to(root).with_suffix("").parts[0]
        where = path.relative_to(root.parent)
        for line, module in _imports(path, root):
            if module.startswith(QT_MODULES) and layer not in QT_ALLOWED:
                bad.append(f"{where}:{line} imports Qt ({module}) below workers/")
            if not module.startswith("reach_studio.") or layer not in ALLOWED:
                continue
            target = module.split(".")[1]
            if target != layer and target not in ALLOWED[layer]:
                bad.append(f"{where}:{line} ({layer}/) imports {module} ({target} is not below it)")
    return bad


def test_imports_only_go_downwards_and_qt_stays_in_ui_and_workers():
    assert _violations() == []


def test_the_contract_sees_an_upward_import(tmp_path):
    """The checker itself: a domain module importing the ui (relatively, inside a function) is reported."""
    fake = tmp_path / "reach_studio"
    (fake / "domain").mkdir(parents=True)
    (fake / "domain" / "bad.py").write_text(
        "def f():\n    from ..ui import main_window\n    import PySide6\n"
    )
    found = _violations(fake)
    assert any("imports reach_studio.ui" in v for v in found)
    assert any("imports Qt" in v for v in found)
