"""The sitemaps protocol's file, read: what a published sitemap.xml must be, checked by the
publish that renders it (a theme's sitemap that is not one is never published) and by
``syndicate check`` reading the live one back."""

from __future__ import annotations

from lxml import etree

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_locs(body: bytes) -> list[str]:
    """The addresses a sitemap lists (its ``<loc>`` elements, in order); ValueError saying why
    ``body`` is not a sitemap (XML that does not parse, a root other than ``urlset`` or
    ``sitemapindex`` of the protocol's namespace)."""
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"the XML does not parse ({exc})") from None
    if root.tag not in (f"{{{SITEMAP_NS}}}urlset", f"{{{SITEMAP_NS}}}sitemapindex"):
        raise ValueError(f"its root is <{etree.QName(root).localname}>, not the sitemaps "
                         f"protocol's <urlset> ({SITEMAP_NS})")
    return [loc.text.strip() for loc in root.iter(f"{{{SITEMAP_NS}}}loc")
            if loc.text and loc.text.strip()]


def sitemap_problem(body: bytes, site_url: str) -> str | None:
    """Why a sitemap made for the site at ``site_url`` cannot be published, or None: it must be
    one, and list only absolute addresses of the site (crawlers ignore any other)."""
    try:
        locs = sitemap_locs(body)
    except ValueError as exc:
        return f"the sitemap it makes is not one: {exc}"
    bad = next((loc for loc in locs if not loc.startswith(site_url)), None)
    if bad is not None:
        return f"the sitemap lists {bad[:80]!r}, not an address under {site_url}"
    return None
