"""A tiny document model rendered to both Markdown and HTML.

Feedback is written twice (``.md`` for LMS comments and repositories,
``.html`` to open in a browser); building the content once as blocks keeps
the two in step, and puts all escaping in one place.  Everything the student
controls (messages, output, file names) is escaped here, never upstream.
"""
import html
import re
from dataclasses import dataclass


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str


@dataclass
class Field:
    """A labelled value on one line: ``**Total:** 44 / 47``."""
    name: str
    value: str


@dataclass
class Table:
    header: list
    rows: list


@dataclass
class Pre:
    """Text shown verbatim: messages, failing inputs, the student's output."""
    text: str


CSS = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
       "color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;"
       "text-align:left}pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap}"
       "h3{margin-bottom:.25rem}")


def to_markdown(blocks: list) -> str:
    return "\n\n".join(_md(block) for block in blocks) + "\n"


def to_html(blocks: list, title: str) -> str:
    body = "\n".join(_html(block) for block in blocks)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n"
            f"<body>\n{body}\n</body></html>\n")


ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text) -> str:
    """Text without terminal colour codes or control characters (tqdm bars, stray NULs)."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", ANSI.sub("", text))


def md_inline(text) -> str:
    """One line of Markdown text that renders as written: no HTML, no emphasis, no table breaks."""
    text = html.escape(" ".join(printable(text).split()), quote=False)
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", text)


def md_fence(text: str) -> str:
    """A fenced block longer than any backtick run inside, so the text cannot close it."""
    text = printable(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def _md(block) -> str:
    if isinstance(block, Heading):
        return "#" * block.level + " " + md_inline(block.text)
    if isinstance(block, Para):
        return md_inline(block.text)
    if isinstance(block, Field):
        return f"**{md_inline(block.name)}:** {md_inline(block.value)}"
    if isinstance(block, Pre):
        return md_fence(block.text)
    lines = [_md_row(block.header), _md_row(["---"] * len(block.header), escape=False)]
    return "\n".join(lines + [_md_row(row) for row in block.rows])


def _md_row(cells, escape: bool = True) -> str:
    return "| " + " | ".join(md_inline(c) if escape else c for c in cells) + " |"


def _html(block) -> str:
    def esc(text):
        return html.escape(printable(text))

    if isinstance(block, Heading):
        return f"<h{block.level}>{esc(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        return f"<p>{esc(block.text)}</p>"
    if isinstance(block, Field):
        return f"<p><strong>{esc(block.name)}:</strong> {esc(block.value)}</p>"
    if isinstance(block, Pre):
        return f"<pre>{esc(block.text)}</pre>"
    return html_table(block.header, [[esc(str(c)) for c in row] for row in block.rows])


def html_table(header: list, rows: list) -> str:
    """A table whose cells are already HTML (callers escape, or build links)."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    return f"<table>\n<tr>{head}</tr>\n{body}</table>"
