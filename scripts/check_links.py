#!/usr/bin/env python3
"""Checks every relative link and anchor in the built book: each must point at a file
that exists (and, for `#anchor`, at an element with that id). Exits 1 listing the broken
ones."""
import html.parser
import pathlib
import sys
import urllib.parse

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/book")


class Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if key in a and a[key]:
                self.links.append(a[key])


pages = {}
for page in root.rglob("*.html"):
    if page.name == "404.html":
        continue  # its links are relative to the site root, wherever it is served
    c = Collect()
    c.feed(page.read_text(encoding="utf-8"))
    pages[page.resolve()] = c

broken = []
for page, c in pages.items():
    for link in c.links:
        url = urllib.parse.urlparse(link)
        if url.scheme or link.startswith("//") or link.startswith("mailto:"):
            continue  # external: not checked offline
        target = page if not url.path else (page.parent / url.path).resolve()
        if url.path.endswith("/"):
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{page.relative_to(root.resolve())}: {link} (no such file)")
            continue
        if url.fragment and target.suffix == ".html":
            ids = pages.get(target, Collect()).ids
            if url.fragment not in ids:
                broken.append(f"{page.relative_to(root.resolve())}: {link} (no such anchor)")

if broken:
    print("broken links:\n  " + "\n  ".join(broken))
    sys.exit(1)
print(f"links ok: {sum(len(c.links) for c in pages.values())} links in {len(pages)} pages")
