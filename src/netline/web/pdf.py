"""HTML to PDF with WeasyPrint (the tumour-board summary).

The page is rendered with its stylesheet inlined, and the fetcher refuses every address, so that
making a PDF never reaches the network or the file system.
"""

from __future__ import annotations

from typing import Any

from netline.web.context import STATIC


def stylesheet() -> str:
    """Return the app's stylesheet, for inlining into the PDF page."""
    return (STATIC / "netline.css").read_text(encoding="utf-8")


def html_to_pdf(html: str) -> bytes:
    """Render a self-contained HTML page to PDF bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class _NoFetch(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"the summary may not fetch {url}")

    pdf: bytes = HTML(string=html, url_fetcher=_NoFetch()).write_pdf()
    return pdf
