"""Sites from URLs: one rule for every input format and every stage."""

from __future__ import annotations

from urllib.parse import urlsplit


def site_of(url: str | None) -> str | None:
    """The site a URL belongs to: its host, lower case, without a leading `www.`.

    None when there is no URL or it has no host or cannot be parsed (a bad URL is not an error
    here: the document simply has no site from its URL).

    >>> site_of("https://WWW.Example.org/a?b=1"), site_of("http://[bad"), site_of("/relative")
    ('example.org', None, None)
    """
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return (host or "").lower().removeprefix("www.") or None
