"""The lock files: every requirement locked at its pinned version, every file hashed, and used.

`bash scripts/lock` regenerates them; a requirement added to requirements*.txt without it fails here.
"""

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]


def requirements(path: Path) -> dict[str, Requirement]:
    """The human-edited list, following `-r` includes."""
    found: dict[str, Requirement] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            found.update(requirements(path.parent / line[3:].strip()))
            continue
        requirement = Requirement(line)
        found[canonicalize_name(requirement.name)] = requirement
    return found


def lock_entries(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from a `--generate-hashes` lock file."""
    entries: dict[str, tuple[str, list[str]]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        match = re.match(r"([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", entry)
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", entry)
            entries[canonicalize_name(match[1])] = (match[2], hashes)
    return entries


@pytest.mark.parametrize(
    ("listed", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_the_lock_holds_every_requirement_at_its_pinned_version(listed, lock):
    """Each pinned requirement is in the lock at that version: run `bash scripts/lock` after editing."""
    locked = lock_entries(REPO / lock)
    wanted = requirements(REPO / listed)

    missing = sorted(name for name in wanted if name not in locked)
    assert not missing, f"{lock} lacks {missing}: run `bash scripts/lock`"
    for name, requirement in wanted.items():
        assert requirement.specifier.contains(locked[name][0]), (
            f"{lock} has {name}=={locked[name][0]}, {listed} wants {requirement.specifier}"
        )


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_is_pinned_with_hashes(lock):
    """pip's --require-hashes installs nothing unpinned or unhashed, transitive dependencies included."""
    entries = lock_entries(REPO / lock)

    assert len(entries) > len(requirements(REPO / lock.replace(".lock", ".txt")))
    assert [name for name, (_, hashes) in entries.items() if not hashes] == []


def test_runtime_and_development_locks_agree_on_every_shared_package():
    """Tests run against exactly the versions the image ships."""
    runtime = lock_entries(REPO / "requirements.lock")
    development = lock_entries(REPO / "requirements-dev.lock")

    assert set(runtime) <= set(development)
    assert {name: runtime[name][0] for name in runtime} == {name: development[name][0] for name in runtime}


def test_the_image_and_the_scripts_install_from_the_locks_with_hashes():
    """The Dockerfile, scripts/serve, scripts/e2e and scripts/test (so CI) all install the locked bytes."""
    # Wheels only, but python-ldap's, which PyPI has as source only (built against libldap).
    assert (
        "pip install --require-hashes --only-binary=:all: --no-binary=python-ldap -r /tmp/requirements.lock"
        in (REPO / "Dockerfile").read_text()
    )
    for script, lock in (
        ("serve", "requirements.lock"),
        ("e2e", "requirements.lock"),
        ("test", "requirements-dev.lock"),
    ):
        text = (REPO / "scripts" / script).read_text()
        assert f"--require-hashes -r {lock}" in text, script
        assert not re.search(r"pip\" install .*-r requirements(-dev)?\.txt", text), script
