"""Atom feeds, so tenants and the panel can follow changes in a feed reader or by email.

`changes.xml` has an entry for every approved version and every withdrawal; `consultations.xml`
one for every draft under consultation. Entry ids are tag URIs that never change, so readers do
not show an entry twice.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin
from xml.etree import ElementTree

from policy_portal.reading.library import Library
from policy_portal.text.formatting import long_date, on_date
from policy_portal.reading.policy import Status

ATOM = "http://www.w3.org/2005/Atom"
ElementTree.register_namespace("", ATOM)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _feed(title: str, address: str, site_url: str, author: str, entries: list[dict[str, str]]) -> str:
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    updated = max((entry["updated"] for entry in entries), default=_stamp(dt.date(2000, 1, 1)))
    for tag, text in (("title", title), ("id", f"{site_url}{address}"), ("updated", updated)):
        ElementTree.SubElement(feed, f"{{{ATOM}}}{tag}").text = text
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{site_url}{address}")
    ElementTree.SubElement(ElementTree.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = author
    for entry in sorted(entries, key=lambda item: item["updated"], reverse=True):
        element = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        for tag in ("title", "id", "updated", "summary"):
            ElementTree.SubElement(element, f"{{{ATOM}}}{tag}").text = entry[tag]
        ElementTree.SubElement(element, f"{{{ATOM}}}link", href=entry["link"])
    return ElementTree.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def changes_feed(library: Library, site_url: str, author: str, host: str) -> str:
    entries = []
    for policy in library:
        link = f"{site_url}policies/{policy.slug}/"
        for version in policy.history:
            entries.append({"title": f"{policy.title}: version {version.version} approved",
                            "id": f"tag:{host},{version.date.isoformat()}:{policy.slug}/v{version.version}",
                            "updated": _stamp(version.date), "link": link,
                            "summary": f"Approved by {version.approved_by} {on_date(version.date)}. "
                                       f"{version.changes_in_a_line}"})
        if policy.status is Status.WITHDRAWN:
            entries.append({"title": f"{policy.title} withdrawn",
                            "id": f"tag:{host},{policy.withdrawn_date.isoformat()}:{policy.slug}/withdrawn",
                            "updated": _stamp(policy.withdrawn_date), "link": link,
                            "summary": f"Withdrawn {on_date(policy.withdrawn_date)}."})
    return _feed("Changes to our policies", "feeds/changes.xml", site_url, author, entries)


def consultations_feed(library: Library, site_url: str, author: str, host: str, consultation_url: str) -> str:
    """Each entry links to the draft's page in the consultation app, made absolute: a feed reader
    has no page to resolve a path against."""
    app = urljoin(site_url, consultation_url)
    entries = []
    for policy in library:
        window = policy.consultation
        if window is None:
            continue
        entries.append({"title": f"Draft {policy.title}: comments open {long_date(window.opens)} "
                                 f"to {long_date(window.closes)}",
                        "id": f"tag:{host},{window.opens.isoformat()}:{policy.slug}/draft-{policy.version}",
                        "updated": _stamp(window.opens), "link": f"{app}{policy.slug}/",
                        "summary": " ".join(policy.summary.split())})
    return _feed("Draft policies open for comments", "feeds/consultations.xml", site_url, author, entries)
