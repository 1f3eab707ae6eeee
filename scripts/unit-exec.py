"""Run a systemd unit's service the way systemd would, on a machine without systemd (CI, a container):
`python scripts/unit-exec.py deploy/systemd/portal-worker.service --map /srv/portal=$PWD --map /etc/portal=/tmp/etc`

Reads the [Service] section: Environment=, then EnvironmentFile= (whose values win, as in systemd),
WorkingDirectory=, RuntimeDirectory= (made under the mapped /run), ExecStartPre= (run in turn; a leading "-"
ignores failure) and ExecStart= (exec'd, so the caller's process becomes the service). Every path given with
--map FROM=TO is replaced in those values first. ${VAR} and $VAR are expanded from the service's environment and
%H/%h/%% specifiers are filled in. User=, Group= and the sandboxing options are not applied (they need systemd):
the service runs as the caller."""

import argparse
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path


def unit_read(path: Path) -> dict[str, list[str]]:
    """The [Service] section's settings, each a list of values in order (continued lines joined)."""
    settings: dict[str, list[str]] = {}
    section, pending = "", ""
    for raw in path.read_text().splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def env_file_read(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def command_line(value: str, env: dict[str, str]) -> tuple[list[str], bool]:
    """An Exec*= value as argv (systemd's prefixes "-" and "@" understood), and whether failure is ignored."""
    ignore = False
    while value[:1] in "-@:+!":
        ignore = ignore or value[0] == "-"
        value = value[1:]
    value = value.replace("%%", "\0").replace("%H", socket.gethostname()).replace("%h", os.path.expanduser("~"))
    argv = []
    for word in shlex.split(value.replace("\0", "%")):
        if re.fullmatch(r"\$[A-Za-z_]\w*", word):  # $VAR alone: split into words, as systemd does
            argv.extend(env.get(word[1:], "").split())
            continue
        argv.append(re.sub(r"\$\{([A-Za-z_]\w*)\}", lambda m: env.get(m[1], ""), word))
    return argv, ignore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("unit", type=Path)
    parser.add_argument("--map", action="append", default=[], metavar="FROM=TO", help="replace a path")
    parser.add_argument("--print", action="store_true", help="print the commands instead of running them")
    args = parser.parse_args()
    maps = [tuple(item.split("=", 1)) for item in args.map]

    def mapped(value: str) -> str:
        for old, new in maps:
            value = value.replace(old, new)
        return value

    service = {key: [mapped(v) for v in values] for key, values in unit_read(args.unit).items()}
    env = dict(os.environ)
    for value in service.get("Environment", []):
        for assignment in shlex.split(value):
            key, _, val = assignment.partition("=")
            env[key] = val
    for file in service.get("EnvironmentFile", []):  # systemd: these override Environment=
        optional = file.startswith("-")
        path = Path(file.lstrip("-"))
        if path.exists() or not optional:
            env.update(env_file_read(path))
    if "ExecStart" not in service:
        sys.exit(f"{args.unit}: no ExecStart=")
    cwd = service.get("WorkingDirectory", [os.getcwd()])[-1].lstrip("-")
    pre = [command_line(value, env) for value in service.get("ExecStartPre", [])]
    start, _ignore = command_line(service["ExecStart"][-1], env)
    if args.print:
        for argv, _ in [*pre, (start, False)]:
            print(shlex.join(argv))
        return
    for name in " ".join(service.get("RuntimeDirectory", [])).split():
        Path(mapped(f"/run/{name}")).mkdir(parents=True, exist_ok=True)
    for argv, ignore in pre:
        done = subprocess.run(argv, cwd=cwd, env=env, check=False)  # noqa: S603 (the unit's own commands)
        if done.returncode and not ignore:
            sys.exit(f"{args.unit}: ExecStartPre failed ({done.returncode}): {shlex.join(argv)}")
    os.chdir(cwd)
    os.execvpe(start[0], start, env)  # noqa: S606


if __name__ == "__main__":
    main()
