"""Build static/description/index.html, the module's page in Apps, from the OCA-style
fragments in readme/ (DESCRIPTION, USAGE, CONFIGURE), so that Odoo shows it instead of
parsing the README as reStructuredText.

    python3 scripts/dev/readme_html.py          # write the page
    python3 scripts/dev/readme_html.py --check  # fail when the page is not up to date (lint)

The fragments use a small part of Markdown: paragraphs, ``- `` lists (an item may go on
over indented lines), ``*emphasis*`` and ``code``.
"""

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [("DESCRIPTION", None), ("USAGE", "Usage"), ("CONFIGURE", "Configuration")]
TARGET = ROOT / "static" / "description" / "index.html"


def inline(text):
    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", text)


def blocks(markdown):
    """Paragraphs and lists of ``markdown`` as HTML."""
    out, items, para = [], [], []

    def flush():
        if para:
            out.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in markdown.splitlines():
        if not line.strip():
            flush()
        elif line.startswith("- "):
            if para:
                flush()
            items.append(line[2:].strip())
        elif items and line.startswith("  "):
            items[-1] += " " + line.strip()
        else:
            para.append(line.strip())
    flush()
    return "\n".join(out)


def page():
    parts = ['<section class="oe_container">', '<div class="oe_row oe_spaced">']
    parts.append('<h2 class="oe_slogan">After-Sales Service</h2>')
    for name, title in SECTIONS:
        source = ROOT / "readme" / f"{name}.md"
        if title:
            parts.append(f"<h3>{title}</h3>")
        parts.append(blocks(source.read_text()))
    parts += ["</div>", "</section>", ""]
    return "\n".join(parts)


def main():
    content = page()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != content:
            sys.exit(
                f"{TARGET.relative_to(ROOT)} is out of date: run python3 scripts/dev/readme_html.py"
            )
        return
    TARGET.write_text(content)


if __name__ == "__main__":
    main()
