"""Fail when a pin in requirements*.txt is missing from, or differs in, its hashed lock file (requirements*.lock).

requirements.txt / requirements-dev.txt list what the project asks for (exact pins); `make lock` compiles them with
pip-tools into requirements.lock / requirements-dev.lock: every transitive dependency pinned, with hashes, which is
what `make venv`, CI and the deployment install (`pip install --require-hashes`)."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def pins(path: Path, *, follow: bool) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if follow and line.startswith(("-r ", "--requirement ")):
            found.update(pins(path.parent / line.split(maxsplit=1)[1], follow=True))
        elif match := PIN.match(line):
            found[_name(match.group(1))] = match.group(3)
    return found


def main() -> int:
    problems = []
    for source, lock in PAIRS:
        if not (ROOT / lock).is_file():
            problems.append(f"{lock} is missing")
            continue
        locked = pins(ROOT / lock, follow=False)
        for name, version in pins(ROOT / source, follow=True).items():
            if locked.get(name) != version:
                problems.append(f"{source}: {name}=={version}, {lock}: {locked.get(name, 'absent')}")
    if problems:
        print("The hashed lock files are out of date:", *problems, sep="\n  ", file=sys.stderr)
        print("Run `make lock` (pip-tools) and commit requirements*.lock with your change.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
