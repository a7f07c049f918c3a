"""The playbook's first wording ships with the service as Markdown files (guidance/content/,
a YAML-like front matter of title and summary, then the body). A data migration installs any
page that is missing; staff edit them afterwards (each save a new version)."""

from __future__ import annotations

import re
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
_FRONT = re.compile(r"\A---\n(?P<head>.*?)\n---\n(?P<body>.*)\Z", re.DOTALL)


def shipped_pages() -> list[dict]:
    """[{slug, position, title, summary, body}] from the files, in order."""
    pages = []
    for path in sorted(CONTENT_DIR.glob("*.md")):
        position, _, slug = path.stem.partition("-")
        match = _FRONT.match(path.read_text(encoding="utf-8"))
        if match is None:
            raise ValueError(f"{path.name} has no front matter")
        head = dict(line.split(": ", 1) for line in match["head"].splitlines() if line.strip())
        pages.append(
            {
                "slug": slug,
                "position": int(position),
                "title": head["title"].strip(),
                "summary": head["summary"].strip(),
                "body": match["body"].strip(),
            }
        )
    return pages


def install_missing(page_model, version_model) -> int:
    """Create each shipped page that does not exist yet, with its version 1. Returns how many."""
    created = 0
    for fields in shipped_pages():
        if page_model.objects.filter(slug=fields["slug"]).exists():
            continue
        page = page_model.objects.create(**fields)
        version_model.objects.create(
            page=page,
            number=1,
            title=fields["title"],
            summary=fields["summary"],
            body=fields["body"],
        )
        created += 1
    return created
