#!/usr/bin/env python3
"""Keeps README.md true to the workspace (run by .ci/run):

- the crate table has one row per crate under crates/ (a directory with a Cargo.toml),
  and every row links to a directory that exists and is a workspace member;
- the README's "The two commands" section holds exactly two commands, the tour and the
  test script, and both exist: an example named `tour` in some crate's examples/, and an
  executable scripts/test.sh.

Exits 1 listing every mismatch."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
readme = (root / "README.md").read_text(encoding="utf-8")
problems = []


def section(title):
    """The text of the `## title` section, up to the next `## ` heading."""
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    if not m:
        problems.append(f"README has no '## {title}' section")
        return ""
    return m.group(1)


# --- the crate table ----------------------------------------------------------------
crates = {p.parent.name for p in (root / "crates").glob("*/Cargo.toml")}
rows = re.findall(r"^\| \[`([^`]+)`\]\(([^)]+)\) \|", section("Crates"), re.M)
if not rows:
    problems.append("the '## Crates' table has no rows of the form | [`name`](path) | ... |")
listed = {}
for name, path in rows:
    target = root / path
    if not (target / "Cargo.toml").is_file():
        problems.append(f"crate table row `{name}` links to {path}, which has no Cargo.toml")
        continue
    if not (path.startswith("crates/") or path == "benches"):
        problems.append(f"crate table row `{name}` links to {path}, not a workspace member")
    package = re.search(r'^name\s*=\s*"([^"]+)"', (target / "Cargo.toml").read_text(), re.M)
    if path.startswith("crates/") and package and package.group(1) != name:
        problems.append(f"crate table row `{name}` links to {path}, whose package is "
                        f"`{package.group(1)}`")
    listed[pathlib.PurePosixPath(path).name] = name
for crate in sorted(crates - set(listed)):
    problems.append(f"crates/{crate} has no row in the README's crate table")

# --- the two commands -----------------------------------------------------------------
commands = [
    line.strip()
    for block in re.findall(r"```sh\n(.*?)```", section("The two commands"), re.S)
    for line in block.splitlines()
    if line.strip() and not line.strip().startswith("#")
]
expected = ["cargo run --release --example tour", "./scripts/test.sh"]
if commands != expected:
    problems.append(f"'## The two commands' should hold exactly {expected}, found {commands}")
if not list(root.glob("crates/*/examples/tour.rs")):
    problems.append("no crates/*/examples/tour.rs: `cargo run --release --example tour` fails")
test_sh = root / "scripts" / "test.sh"
if not test_sh.is_file() or not test_sh.stat().st_mode & 0o111:
    problems.append("scripts/test.sh is missing or not executable")

# The set-up must come first: the first section of the README is the set-up.
first = re.search(r"^## (.+)$", readme, re.M)
if not first or not first.group(1).lower().startswith("set-up"):
    problems.append("the README's first section must be the set-up")

if problems:
    print("README.md is out of sync with the workspace:", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    sys.exit(1)
print(f"README.md: {len(rows)} crate rows match crates/ ({len(crates)} crates) and benches; "
      f"the two commands exist")
