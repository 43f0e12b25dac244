"""HTML -> plain text lines that keep the page's block structure.

Page chrome elements (script, style, nav, header, footer, ...) are dropped; each block element
(paragraph, heading, list item, table row, div ...) becomes its own line so that headings and
numbered items stay line-initial for segmentation, while inline elements (<b>, <span>, <a>)
stay inside their line.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

DROP_TAGS = ("script", "style", "nav", "header", "footer", "noscript", "aside", "form", "iframe", "template")
BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 tr table thead tbody section article blockquote pre "
    "dd dt dl br hr main figure figcaption caption address center".split()
)


def _walk(node: Node, out: list[str]) -> None:
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            out[-1] += child.text_content or ""
        elif tag in BLOCK_TAGS:
            out.append("")
            _walk(child, out)
            out.append("")
        elif tag in ("td", "th"):
            out[-1] += " "
            _walk(child, out)
        elif not tag.startswith("-"):  # skip comments/doctype
            _walk(child, out)
        child = child.next


def html_to_text(html: str) -> str:
    """Extract readable text; the <title> leads when the page has no <h1>."""
    tree = HTMLParser(html)
    title = ""
    if tree.css_first("h1") is None and (t := tree.css_first("title")) is not None:
        title = t.text(strip=True)
    tree.strip_tags(list(DROP_TAGS))
    root = tree.body or tree.root
    lines = [""]
    if root is not None:
        _walk(root, lines)
    text_lines = [" ".join(line.split()) for line in lines]
    text_lines = [line for line in text_lines if line]
    if title:
        text_lines.insert(0, title)
    return "\n".join(text_lines)
