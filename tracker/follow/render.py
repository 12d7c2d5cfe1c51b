"""A digest as plain text (for cron mail), Markdown or a JSON document."""

from __future__ import annotations

from typing import Any

from tracker.db.queries import iso
from tracker.follow.digest import Digest, fmt_time

TITLE_WIDTH = 100


def _clip(text: str, width: int = TITLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _header(digest: Digest) -> str:
    papers = f"{digest.new_papers} new paper" + ("" if digest.new_papers == 1 else "s")
    return f"What's new since {fmt_time(digest.since)} ({papers} synced)"


def nothing_new(digest: Digest) -> str:
    return f"Nothing new since {fmt_time(digest.since)}."


def render_text(digest: Digest) -> str:
    if digest.empty:
        return nothing_new(digest)
    out = [_header(digest)]
    for section in digest.sections:
        if not section.groups:
            continue
        out += ["", section.title]
        for group in section.groups:
            out.append(f"  {_clip(group.heading)}")
            bullet = "    " if section.key == "papers" else "    - "
            out += [f"{bullet}{_clip(line.text)}" for line in group.lines]
            if group.more:
                out.append(f"{bullet}and {group.more} more")
    return "\n".join(out)


def render_markdown(digest: Digest) -> str:
    if digest.empty:
        return nothing_new(digest)
    out = [f"# {_header(digest)}"]
    for section in digest.sections:
        if not section.groups:
            continue
        out += ["", f"## {section.title}"]
        for group in section.groups:
            heading = group.heading
            if group.url:
                key, _, rest = heading.partition("  ")
                heading = f"[{key}]({group.url}) {rest}".rstrip()
            out += ["", f"### {heading}", ""]
            for line in group.lines:
                if line.kind == "paper":
                    d = line.data
                    out.append(
                        f"- [{d['arxiv_id']}]({d['url']}) {d['title']} ({d['primary_category']})"
                    )
                else:
                    out.append(f"- {line.text}")
            if group.more:
                out.append(f"- and {group.more} more")
    return "\n".join(out)


def digest_json(digest: Digest) -> dict[str, Any]:
    return {
        "since": iso(digest.since),
        "until": iso(digest.until),
        "first": digest.first,
        "empty": digest.empty,
        "new_papers": digest.new_papers,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "groups": [
                    {
                        "key": group.key,
                        "heading": group.heading,
                        "url": group.url,
                        "more": group.more,
                        "items": [
                            {"kind": line.kind, "text": line.text, **line.data}
                            for line in group.lines
                        ],
                    }
                    for group in section.groups
                ],
            }
            for section in digest.sections
        ],
    }


RENDERERS = {"text": render_text, "markdown": render_markdown}
