"""OPML: creating sources from an outline and exporting them as one."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import defusedxml.ElementTree as SafeET
from django.db import transaction
from django.utils import timezone

from ..models import Source
from .lifecycle import SourceError, source_create

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element


@dataclass(slots=True)
class OPMLImport:
    created: list[Source]
    skipped: list[str]  # feed URLs already present
    # Outlines that could not be imported: (line in the file, feed URL, why).
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


class _Lines(ET.TreeBuilder):
    """A tree builder that remembers the line each element starts on (an Element cannot
    carry an attribute of ours, so by id; the tree keeps every element alive)."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.lines: dict[int, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def source_import_opml(*, data: bytes) -> OPMLImport:
    """Create sources from an OPML 2.0 document. An outline nested in another gets the outer
    outline's title as its default category. An outline that cannot become a source (a bad
    address, a field too long) is listed in ``rejected`` with its line and the reason; the
    others are imported."""
    builder = _Lines()
    parser = SafeET.DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except (SafeET.ParseError, ValueError) as exc:
        raise SourceError(f"not an OPML document: {exc}") from exc
    body = root.find("body") if root.tag == "opml" else None
    if body is None:
        raise SourceError("not an OPML document: no <body>")
    created: list[Source] = []
    skipped: list[str] = []
    rejected: list[tuple[int, str, str]] = []

    def add(outline: Element, url: str, title: str, category: str) -> None:
        if Source.objects.filter(feed_url=url).exists():
            skipped.append(url)
            return
        # One bad outline is listed, not fatal: the good ones are imported.
        try:
            with transaction.atomic():
                created.append(
                    source_create(
                        feed_url=url,
                        name=title or url,
                        site_url=(outline.get("htmlUrl") or "").strip(),
                        default_category=outline.get("category", "").strip("/ ")
                        or category,
                    )
                )
        except SourceError as exc:
            rejected.append((builder.lines.get(id(outline), 0), url, str(exc)))

    def walk(body: Element) -> None:
        # Depth first, in document order, with a stack of our own: nesting 3,000 deep
        # overflowed Python's recursion (found by an attack).
        stack: list[tuple[Element, str]] = [(body, "")]
        while stack:
            node, category = stack.pop()
            children = []
            for outline in node.findall("outline"):
                url = (outline.get("xmlUrl") or "").strip()
                title = (outline.get("title") or outline.get("text") or "").strip()
                if url:
                    add(outline, url, title, category)
                children.append((outline, title if not url else category))
            stack.extend(reversed(children))

    with transaction.atomic():
        walk(body)
    return OPMLImport(created=created, skipped=skipped, rejected=rejected)


def sources_export_opml(*, sources: list[Source] | None = None) -> bytes:
    """OPML 2.0 of the sources, grouped in one outline per default category."""
    import xml.etree.ElementTree as ET

    sources = sources if sources is not None else list(Source.objects.order_by("name"))
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = "Newsroom sources"
    ET.SubElement(head, "dateCreated").text = timezone.now().strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    body = ET.SubElement(opml, "body")
    groups: dict[str, ET.Element] = {}
    for source in sources:
        parent = body
        if source.default_category:
            group = groups.get(source.default_category)
            if group is None:
                group = groups[source.default_category] = ET.SubElement(
                    body,
                    "outline",
                    text=source.default_category,
                    title=source.default_category,
                )
            parent = group
        attrs = {
            "type": "rss",
            "text": source.name,
            "title": source.name,
            "xmlUrl": source.feed_url,
        }
        if source.site_url:
            attrs["htmlUrl"] = source.site_url
        ET.SubElement(parent, "outline", attrs)
    ET.indent(opml)
    return ET.tostring(opml, encoding="utf-8", xml_declaration=True)
