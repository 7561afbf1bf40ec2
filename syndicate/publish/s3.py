"""An S3 bucket (or any S3-compatible store) as the publish target, through boto3.

Credentials come only from boto3's standard chain (environment, profile, instance role). What the
bucket holds is tracked in a manifest stored beside the site (``.syndicate/manifest.json`` under
the prefix; see ``manifest.py``) and in the catalog; each object also carries its sha256 and the
site's id in its metadata. The manifest is written last, after every upload and delete succeeded.

A site only ever adopts, overwrites or deletes objects that are provably its own: listed in its
manifest (whose site id is this catalog's), or carrying its site id. A prefix with another site's
manifest below it, or one that lies inside another site, is refused. Every run reads the manifest
and lists the prefix (one request per 1,000 objects), so an object deleted or replaced by hand is
noticed and sent again: its size, or its ETag, is not the one recorded when it was sent (its
sha256 metadata, which can be copied along with other bytes, does not overrule that). Headers
edited by hand keep the ETag and are not in the listing: ``publish --verify`` (``verify``) reads
them, a HEAD per object. A manifest that is missing or damaged is rebuilt from the objects that
carry this site's id, never trusted blindly; with it missing, another site's home page above the
prefix (or, for a catalog new to the prefix, at or below it) still keeps this one out.

The manifest also carries the site's publish generation (see generation.py): ``site_state``
hands it to collect from the manifest already read, so a run that changes nothing makes no
request beyond the manifest's GET and the listing. Only a site last published by an earlier
syndicate, whose manifest carries none, has its ``.syndicate/state.json`` read (once: the next
manifest written carries it, and the old copy is deleted).

Before a run changes anything it writes the manifest once more with every key it is about to
touch marked ``pending``. A run that dies half-way (a crash, SIGKILL, a lost network) thus leaves
a manifest that says which keys are uncertain; the next run asks the bucket about those keys
alone (a HEAD each), keeps what already arrived and sends only the rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import posixpath
import re
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from ..errors import PublishError
from ..urls import redact, redact_text
from . import manifest as manifests
from .keys import RESERVED, safe_key
from .s3listing import page_starts, stitch
from .targets import TargetBase

if TYPE_CHECKING:
    from .outputs import Output

MANIFEST_KEY = RESERVED + "manifest.json"
HOME = "index.html"  # every site's home page, at its top
TOP_FILES = ("404.html", "sitemap.xml", "robots.txt", "feed.xml", "podcast.xml", "atom.xml")
LIST_WORKERS = 8  # pages of a listing asked for at once


def parse_target(target: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` gives (bucket, 'prefix/'); the prefix may be empty."""
    url = urlparse(target)
    if url.scheme != "s3" or not url.netloc or not target.startswith("s3://"):
        raise PublishError(f"target {target!r}: expected s3://bucket/prefix")
    if url.query or url.params or url.fragment or "?" in target or "#" in target \
            or "@" in url.netloc or ":" in url.netloc:
        raise PublishError(f"target {target!r}: expected s3://bucket/prefix, with no '?', ';', "
                           "'#', port or user in it (a prefix is only folder names)")
    prefix = url.path.removeprefix("/").removesuffix("/")
    if prefix:
        if any(part in ("", ".", "..") for part in prefix.split("/")):
            raise PublishError(f"target {target!r}: the prefix must not contain '..', '.' or "
                               "empty parts")
        prefix += "/"
    return url.netloc, prefix


# what boto3 raises talking to a store: its own errors, and ValueError (a credential process
# whose output is no JSON, an endpoint from the environment it cannot use)
STORE_ERRORS = (ClientError, BotoCoreError, ValueError)


def not_found(exc: Exception) -> bool:
    """Whether a store's error only says the object is not there (GET, HEAD)."""
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("NoSuchKey", "404", "NotFound")


def explain(exc: Exception, bucket: str, key: str | None = None) -> PublishError:
    """A clear message for what went wrong talking to the store; never includes credentials."""
    where = f"bucket {bucket!r}" + (f", object {key!r}" if key else "")
    if isinstance(exc, EndpointConnectionError):
        return PublishError(f"cannot reach the S3 endpoint "
                            f"({redact(exc.kwargs.get('endpoint_url'))}); "
                            "check s3.endpoint_url and the network")
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchBucket", "404"):
            return PublishError(f"bucket {bucket!r} does not exist; create it or fix the target")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403"):
            return PublishError(f"the S3 credentials were refused for bucket {bucket!r} ({code}); "
                                "check AWS_PROFILE or the AWS_* environment variables")
        meta = exc.response.get("ResponseMetadata", {})
        status, tries = meta.get("HTTPStatusCode"), meta.get("RetryAttempts", 0) + 1
        return PublishError(f"S3 error for {where}: {code or redact_text(exc)} (HTTP {status}, "
                            f"{tries} attempt{'s' if tries > 1 else ''})")
    return PublishError(f"S3 error for {where}: {error_text(exc)}")


def error_text(exc: Exception) -> str:
    """What boto3 said went wrong, fit for a message: addresses masked, and never a signed
    request's header (an error that quotes one is said in other words)."""
    text = _USERINFO.sub("***@", redact_text(exc))  # (user:password@host with no scheme too)
    if _SIGNED.search(text):
        return ("the request could not be signed and sent: a credential holds a character a "
                "request header cannot carry (a line break, a space); check AWS_ACCESS_KEY_ID, "
                "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or the profile's credentials")
    return text


# what a signed request's headers hold (an error quoting one would show a credential)
_SIGNED = re.compile(r"AWS4-HMAC|Credential=|Signature=|X-Amz-Security-Token|Authorization|"
                     r"Invalid header value", re.I)
_USERINFO = re.compile(r"[^\s/@'\"]+:[^\s/@'\"]*@")


def _etag(value: str) -> str:
    """An ETag as stores differ in spelling it: without quotes or a weak marker."""
    return value.strip().removeprefix("W/").strip('"')


class S3Target(TargetBase):
    def __init__(self, target: str, cfg, *, site_url: str = ""):
        self.bucket, self.prefix = parse_target(target)
        self.name = f"s3://{self.bucket}/{self.prefix}"
        self.cfg = cfg
        self.site_url = site_url
        self.site_id: str | None = None  # this catalog's site, set by the caller; else found
        self.warnings: list[str] = []
        maker = ThreadPoolExecutor(1, thread_name_prefix="s3-client")
        self._client = maker.submit(self._make_client)  # made in the background
        maker.shutdown(wait=False)
        self._fetched: tuple[Future, Future] | None = None  # the manifest and the listing
        self._parsed: tuple | None = None  # (Manifest or None, DamagedManifest or None)
        self._site_gen: tuple[dict | None] | None = None  # the site's generation, once read
        self._carried: dict | None = None  # the generation the manifest as read carries
        self._unsettled: tuple | None = None  # a manifest not yet checked against the listing
        self.multipart = cfg.multipart_threshold_mb * 2**20  # bytes: larger files go in parts
        self.state: dict[str, dict] = {}
        self._loaded: dict[str, dict] | None = None  # the manifest as read, if it was sound
        self.listing: dict[str, tuple[int, str]] = {}  # key -> (size, ETag) under the prefix
        self.owned: set[str] = set()  # keys this site published (it may overwrite them)
        self.etags: dict[str, str] = {}  # ETags of objects sent by this run
        self._sites: dict[str, str | None] = {}  # key -> the site id an object carries
        self.workers = cfg.workers
        self.verify = False  # publish --verify: each object's headers read (a HEAD each)

    @property
    def client(self):
        """boto3's client (made in the background when the target is); a profile, credential
        source or region boto3 cannot use is a PublishError saying so."""
        try:
            return self._client.result()
        except STORE_ERRORS as exc:
            raise explain(exc, self.bucket) from None

    def _make_client(self):
        from .s3client import make_client  # botocore, imported here (in the background)

        client = make_client(self.cfg)
        client.meta.events.register("before-send.s3", self._before_send)
        return client

    def _before_send(self, request=None, **_kw) -> None:
        """Right before a request that writes leaves (a retry too): the plan's guard, so that a
        process stopped and continued past its locks sends nothing more."""
        if self.guard is not None and request is not None \
                and request.method in ("PUT", "POST", "DELETE"):
            self.guard()

    def _key(self, key: str) -> str:
        return self.prefix + safe_key(key)

    def bind(self, cat) -> None:
        """The site's id, made once and kept in the catalog."""
        self.site_id = cat.get_meta("site_id")

    def remember(self, cat) -> None:
        """The site's id as the bucket gave it (or as made now), kept in the catalog before
        anything carries it."""
        if cat.get_meta("site_id") != self.site_id:
            cat.set_meta("site_id", self.site_id)
            cat.commit()

    def start(self) -> None:
        """Begin reading the manifest and listing the prefix, in the background, so the store's
        answers arrive while the sources are collected and the site is built (call it once the
        publish lock is held: what is read must not change under this run)."""
        if self._fetched is None:
            pool = ThreadPoolExecutor(2, thread_name_prefix="s3-read")
            manifest = pool.submit(self._get_manifest)
            self._fetched = (manifest, pool.submit(self._list, manifest))
            pool.shutdown(wait=False)
            # the caller waits for the client (its failure is raised where it was before, by
            # previous): one thread making it alone sends the requests sooner than two threads
            # sharing the interpreter, and the rest of the run loads while the store answers
            wait([self._client])

    # -- what the bucket holds ---------------------------------------------------------------
    def previous(self, catalog_rows: dict[str, dict]) -> dict[str, dict]:
        """The verified state of the bucket: its manifest if sound and this site's, checked
        against the listing (``_settle``, before any output is planned); else one rebuilt from
        the objects that carry this site's id."""
        self.start()
        found, damaged = self._manifest()
        known = self.cfg.site_id or self.site_id
        if found is not None:
            self.site_id = self._identify(found, known, catalog_rows)
            self.state = {k: dict(r) for k, r in found.rows.items() if not r.get("pending")}
            self._unsettled = (found, catalog_rows)
            if found.pending:
                self._settle()
            return self.state
        self._refuse_sites_below(self._fetched[1].result())
        self._refuse_inside_another_site(known)  # no sound manifest here: perhaps a new site
        self.site_id = known
        self.state = self._rebuild(catalog_rows)
        others = sorted({s for s in self._sites.values() if s and s != self.site_id})
        homes = sorted((k, s) for k, s in self._sites.items()
                       if s in others and posixpath.basename(k) == HOME)
        if damaged is None and self.site_id is None and homes:
            # a site whose manifest was deleted (its home page, and the rest, still say whose
            # they are; an object alone with another id is only spared)
            key, owner = min(homes, key=lambda h: h[0].count("/"))
            raise PublishError(
                f"{self.name} holds another site (id {owner}) at "
                f"{self.name}{key[:-len(HOME)]}, whose manifest is missing; this catalog has "
                "no record of publishing there. If it is this site (its catalog was lost), set "
                f"s3.site_id: {owner} in the config; else publish to a prefix of its own")
        if damaged is not None:
            if self.site_id is None and others:
                raise PublishError(
                    f"{damaged}; this catalog has no record of the site there, and its objects "
                    f"carry the site id {', '.join(others)}. If it is this site (its catalog was "
                    f"lost), set s3.site_id: {others[0]} in the config; else publish to a prefix "
                    "of its own")
            self.warnings.append(f"{damaged}: rebuilt from the {len(self.state)} objects that "
                                 "carry this site's id")
        self.site_id = self.site_id or uuid.uuid4().hex
        return self.state

    def _settle(self) -> None:
        """Check the manifest against the listing, once: sites below are refused, and objects
        gone or changed since they were published drop out of the state (so they are sent
        again). The state is updated in place: it is the dict ``previous`` returned."""
        if self._unsettled is None:
            return
        found, catalog_rows = self._unsettled
        self._refuse_sites_below(self._fetched[1].result())  # raised again if asked again
        self._unsettled = None
        rows = self._reconcile(found, catalog_rows)
        if self.verify:
            self._verify(rows)
        self.state.clear()
        self.state.update(rows)
        fresh = (self.site_id == found.site and found.site_url == self.site_url
                 and not found.pending)
        self._loaded = {k: dict(v) for k, v in rows.items()} if fresh else None

    def _verify(self, rows: dict[str, dict]) -> None:
        """``publish --verify``: the headers each object has now (a HEAD each), in place of
        those the manifest recorded, which the listing cannot show (a Content-Type or
        Cache-Control edited by hand keeps the object's ETag); headers found wrong are then
        put back by a server-side copy, and an object whose sha256 metadata is not the
        recorded one is sent again."""
        def head(key: str) -> dict | None:
            return self._unless_missing(self.client.head_object, self.prefix + key, key)

        keys = sorted(rows)
        with ThreadPoolExecutor(self.workers) as pool:
            heads = list(pool.map(head, keys))
        for key, meta in zip(keys, heads, strict=True):
            tags = (meta or {}).get("Metadata", {})
            if meta is None or tags.get("sha256") != rows[key]["sha256"]:
                del rows[key]
                continue
            rows[key] = {**rows[key], "content_type": meta.get("ContentType", ""),
                         "cache_control": meta.get("CacheControl", "")}
            if tags.get("site") != self.site_id:
                rows[key]["unstamped"] = True

    def _manifest(self) -> tuple:
        """The manifest as read (parsed once): (Manifest, None), (None, DamagedManifest), or
        (None, None) where there is none."""
        if self._parsed is None:  # a publish started reading it; else (collect) read it now
            body = self._fetched[0].result() if self._fetched else self._get_manifest()
            found = damaged = None
            if body is not None:
                try:
                    found = manifests.read(body, self.name + MANIFEST_KEY)
                except manifests.DamagedManifest as exc:
                    damaged = exc
            self._parsed = (found, damaged)
            self._carried = found.state if found is not None else None
        return self._parsed

    def site_state(self) -> dict | None:
        """The publish generation the site records, or None: from the manifest (no request of
        its own), else from the ``.syndicate/state.json`` an earlier syndicate wrote."""
        if self._site_gen is None:
            found, _ = self._manifest()
            if found is not None and found.state is not None:
                self._site_gen = (found.state,)
            else:
                from ..generation import MAX_STATE_BYTES, STATE_KEY, parse_state

                try:
                    got = self.client.get_object(Bucket=self.bucket, Key=self.prefix + STATE_KEY)
                    self._site_gen = (parse_state(got["Body"].read(MAX_STATE_BYTES + 1)),)
                except STORE_ERRORS as exc:
                    if not not_found(exc):
                        raise explain(exc, self.bucket, STATE_KEY) from None
                    self._site_gen = (None,)
        return self._site_gen[0]

    def _unless_missing(self, call, key: str, named: str | None = None):
        """``call(Bucket=..., Key=key)``'s answer, or None where there is no such object; any
        other failure is a PublishError saying what to do (naming ``named``, if given)."""
        try:
            return call(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise explain(exc, self.bucket, named) from None
        except (BotoCoreError, ValueError) as exc:
            raise explain(exc, self.bucket, named) from None

    def _get_manifest(self) -> bytes | None:
        got = self._unless_missing(self.client.get_object, self.prefix + MANIFEST_KEY)
        return None if got is None else got["Body"].read()

    def _list(self, manifest: Future | None = None) -> list[str]:
        """Every key under the prefix (relative to it); the listing of the site's own keys is
        kept as (size, ETag). One request per 1,000 objects, sent together: the pages after
        the first start after every 1,000th key the manifest (``manifest``, its body on the
        way) names, and are stitched into one listing (see ``s3listing.stitch``: a page that
        does not meet the ones before it, as when the bucket holds other keys than the
        manifest says, is followed by a request after the last key seen)."""
        with ThreadPoolExecutor(LIST_WORKERS, thread_name_prefix="s3-list") as pool:
            first = pool.submit(self._page, "")
            hints: list[str] = []
            if manifest is not None:
                with contextlib.suppress(Exception):  # a manifest that fails is said elsewhere
                    hints = page_starts(manifest.result(), self.prefix, MANIFEST_KEY)
            later = [(h, pool.submit(self._page, h)) for h in hints]
            pages = [("", first.result())]
            for h, page in later:
                with contextlib.suppress(PublishError):  # the first page's failure is raised
                    pages.append((h, page.result()))
        keys: list[str] = []
        for obj in stitch(pages, self._page):
            key = obj[0][len(self.prefix):]
            keys.append(key)
            if not key.startswith(RESERVED):
                self.listing[key] = (obj[1], obj[2])
        return keys

    def _page(self, start_after: str) -> tuple[list[tuple[str, int, str]], bool]:
        """One page of the listing after the key ``start_after`` (from the start if empty):
        ([(key, size, ETag)], whether more follow)."""
        try:
            got = self.client.list_objects_v2(
                Bucket=self.bucket, Prefix=self.prefix,
                **({"StartAfter": start_after} if start_after else {}))
        except STORE_ERRORS as exc:
            raise explain(exc, self.bucket) from None
        return ([(o["Key"], o.get("Size", -1), o.get("ETag", ""))
                 for o in got.get("Contents", [])], bool(got.get("IsTruncated")))

    def _refuse_sites_below(self, keys: list[str]) -> None:
        below = sorted(k[:-len(MANIFEST_KEY)] for k in keys
                       if k.endswith("/" + MANIFEST_KEY) and not k.startswith(RESERVED))
        if below:
            more = f" (and {len(below) - 1} more)" if len(below) > 1 else ""
            raise PublishError(
                f"{self.name} holds another site below it, at {self.name}{below[0]}{more} (its "
                f"manifest {self.prefix}{below[0]}{MANIFEST_KEY}); publishing here could "
                "overwrite or delete its objects. Publish to a prefix that holds no other site")

    def _refuse_inside_another_site(self, known: str | None = None) -> None:
        """A site is never made inside another one (whose deletes and rebuilds would meet it):
        one above has its manifest there, or (its manifest deleted by hand) a home page or
        other top-level object that carries another site's id. Asked only where this prefix
        has no sound manifest (a HEAD or two for each folder above)."""
        parts = self.prefix.strip("/").split("/") if self.prefix else []
        above = ["/".join(parts[:n]) + "/" if n else "" for n in range(len(parts))]

        def exists(prefix: str) -> bool:
            return self._unless_missing(self.client.head_object,
                                        prefix + MANIFEST_KEY) is not None

        with ThreadPoolExecutor(max(1, min(len(above), self.workers))) as pool:
            hits = [p for p, hit in zip(above, pool.map(exists, above), strict=True) if hit]
        if hits:
            outer = f"s3://{self.bucket}/{hits[-1]}"
            raise PublishError(
                f"{self.name} lies inside the site published at {outer} (its manifest "
                f"{hits[-1]}{MANIFEST_KEY}); publishing here could overwrite its objects or be "
                "deleted by it. Publish to a prefix outside any other site")
        with ThreadPoolExecutor(max(1, min(len(above), self.workers))) as pool:
            owners = list(pool.map(self._site_at_top, above))
        for prefix, owner in reversed(list(zip(above, owners, strict=True))):
            if owner is not None and owner != known:
                raise PublishError(
                    f"{self.name} lies inside the site published at s3://{self.bucket}/{prefix} "
                    f"(its objects carry the site id {owner}; its manifest is missing); "
                    "publishing here could overwrite its objects or be deleted by it. Publish "
                    f"to a prefix outside any other site (if it is this site, set s3.site_id: "
                    f"{owner} in the config and publish it at s3://{self.bucket}/{prefix})")

    def _site_at_top(self, prefix: str) -> str | None:
        """The site id carried by the objects directly under ``prefix``, if a site was
        published there: its home page (one HEAD), or, that deleted by hand too, the first
        few other objects at that level (its feeds, 404 page, sitemap: one LIST and a HEAD
        or three)."""
        meta = self._unless_missing(self.client.head_object, prefix + HOME)
        if meta is not None:
            return meta.get("Metadata", {}).get("site") or None
        try:
            got = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, Delimiter="/",
                                              MaxKeys=100)
        except STORE_ERRORS as exc:
            raise explain(exc, self.bucket) from None
        keys = [o["Key"] for o in got.get("Contents", [])]
        keys.sort(key=lambda k: (k[len(prefix):] not in TOP_FILES, k))
        for key in keys[:3]:
            meta = self._unless_missing(self.client.head_object, key)
            site = None if meta is None else meta.get("Metadata", {}).get("site")
            if site:
                return site
        return None

    def _identify(self, found: manifests.Manifest, known: str | None,
                  catalog_rows: dict[str, dict]) -> str:
        """Whose site the manifest at the prefix is: this catalog's, or refused."""
        if found.site is None:  # written before sites had an id
            if known or catalog_rows:  # this catalog published here: the site is its own
                self.warnings.append(f"{self.name}: the manifest of an earlier syndicate was "
                                     "adopted; its objects get this site's id (once)")
                for row in found.rows.values():
                    row["unstamped"] = True
                return known or uuid.uuid4().hex
            raise PublishError(
                f"{self.name} holds a site published by an earlier syndicate, and this catalog "
                "has no record of publishing there. If it is this site (its catalog was lost), "
                f"set s3.site_id to an id of your choosing (e.g. {uuid.uuid4().hex}) in the "
                "config to adopt it; else publish to a prefix of its own")
        if known == found.site:
            return known
        if known is None and found.site_url == self.site_url:
            self.warnings.append(f"{self.name}: this catalog had no record of the site there; "
                                 f"adopted it from its manifest (site {found.site}, "
                                 f"{found.site_url})")
            return found.site
        raise PublishError(
            f"{self.name} holds another site (id {found.site}, {found.site_url}), not the one this "
            f"catalog published. Publish to a prefix of its own; if it is this site (its "
            f"catalog was lost), set s3.site_id: {found.site} in the config")

    def _reconcile(self, found: manifests.Manifest, catalog_rows: dict[str, dict]
                   ) -> dict[str, dict]:
        """The manifest's rows that the listing confirms: an object gone or changed since it
        was published (by hand, by another tool) is left out, so it is sent again."""
        rows: dict[str, dict] = {}
        lost: list[str] = []
        suspect: list[str] = []  # same size, another ETag: changed, or a store's other spelling
        for key, row in found.rows.items():
            self.owned.add(key)
            if row.get("pending"):
                continue
            size, etag = self.listing.get(key, (None, ""))
            if size != row["size"]:
                lost.append(key)
            elif row["etag"] and etag and _etag(etag) != _etag(row["etag"]):
                suspect.append(key)
            else:
                rows[key] = {**row, "etag": etag}
        for key, seen in zip(suspect, self._heads(suspect, {}, False), strict=True):
            row = found.rows[key]
            # the object's own ETag decides, not its sha256 metadata (copied along with other
            # bytes, it proves nothing): the listing only spelled it otherwise if HEAD gives
            # the ETag the manifest recorded when the object was sent
            if seen is not None and _etag(seen["etag"]) == _etag(row["etag"]):
                rows[key] = {**row, "etag": self.listing[key][1]}  # the same content
            else:
                lost.append(key)
        for key, row in zip(found.pending, self._heads(found.pending, catalog_rows, True),
                            strict=True):
            if row is not None:
                rows[key] = row
        if lost:
            shown = ", ".join(sorted(lost)[:5]) + (", ..." if len(lost) > 5 else "")
            self.warnings.append(f"{self.name}: {len(lost)} object(s) the manifest lists are "
                                 "missing or changed in the bucket; what is still published is "
                                 f"sent again: {shown}")
        return rows

    def _rebuild(self, catalog_rows: dict[str, dict]) -> dict[str, dict]:
        """What the bucket holds of this site's: listed objects that carry its id."""
        rows: dict[str, dict] = {}
        keys = list(self.listing)
        for row in self._heads(keys, catalog_rows, False):
            if row is not None:
                rows[row["key"]] = row
                self.owned.add(row["key"])
        return rows

    def _heads(self, keys: list[str], catalog_rows: dict[str, dict],
               pending: bool) -> list[dict | None]:
        """A manifest row for each key from the object's own headers; None where the object is
        missing or is not provably this site's (another site's, or put there by hand or by
        another tool: never touched). An object without a site id is this site's only where
        the manifest marked it pending or the catalog records that very content there."""
        def head(key: str) -> dict | None:
            meta = self._unless_missing(self.client.head_object, self.prefix + key)
            if meta is None:
                self._sites[key] = None
                return None
            tags = meta.get("Metadata", {})
            sha, site = tags.get("sha256"), tags.get("site")
            self._sites[key] = site or ""
            if not sha:
                return None
            recorded = catalog_rows.get(key, {}).get("sha256")
            if site is None and (pending or recorded == sha):
                unstamped = True
            elif site is not None and site == self.site_id:
                unstamped = False
            else:
                return None
            return {"key": key, "size": meta["ContentLength"], "sha256": sha,
                    "content_type": meta.get("ContentType", ""),
                    "cache_control": meta.get("CacheControl", ""), "input_hash": "",
                    "etag": meta.get("ETag", ""), **({"unstamped": True} if unstamped else {})}

        with ThreadPoolExecutor(self.workers) as pool:
            return list(pool.map(head, keys))

    def has(self, key: str, size: int) -> bool:
        self._settle()
        row = self.state.get(key)
        return row is not None and row["size"] == size

    def claim(self, plan) -> None:
        """Before anything is sent: every key the plan writes is new, or this site's own."""
        self._settle()
        keys = [w.output.key for w in plan.writes]
        foreign = [k for k in keys if k in self.listing and k not in self.owned]
        unknown = [k for k in foreign if k not in self._sites]
        self._heads(unknown, {}, False)
        taken = sorted(k for k in foreign if self._sites.get(k) not in (None, self.site_id))
        if not taken:
            return
        others = sorted({self._sites[k] for k in taken} - {""})
        shown = ", ".join(taken[:5]) + (", ..." if len(taken) > 5 else "")
        whose = (f"they carry the site id {', '.join(others)}: if that is this site (its "
                 f"catalog was lost), set s3.site_id: {others[0]} in the config; if not, "
                 if others else "they were put there by hand or by another tool: ")
        raise PublishError(
            f"{self.name}: refusing to overwrite {len(taken)} object(s) this site did not "
            f"publish ({shown}): {whose}move them away or publish to a prefix of its own "
            "(no option overwrites another's objects on S3)")

    # -- changes -----------------------------------------------------------------------------
    def write(self, out: Output, data: bytes | None, sent=None) -> None:
        extra = {"ContentType": out.content_type,
                 "CacheControl": out.cache_control,
                 "Metadata": {"sha256": out.sha256 or "", "site": self.site_id}}
        if self.cfg.acl:
            extra["ACL"] = self.cfg.acl
        if out.redirect:  # an S3 website endpoint answers it with a 301 to the new page
            extra["WebsiteRedirectLocation"] = out.redirect
        key = self._key(out.key)
        try:
            if data is not None:
                extra["Metadata"]["sha256"] = hashlib.sha256(data).hexdigest()
                done = self.client.put_object(Bucket=self.bucket, Key=key, Body=data, **extra)
                if sent:
                    sent(len(data))
            elif out.path.stat().st_size <= self.multipart:
                with open(out.path, "rb") as body:  # one request: no transfer manager needed
                    done = self.client.put_object(Bucket=self.bucket, Key=key, Body=body,
                                                  **extra)
                if sent:
                    sent(out.path.stat().st_size)
            else:
                self._upload_parts(out, key, extra, sent)
                done = self.client.head_object(Bucket=self.bucket, Key=key)
        except STORE_ERRORS as exc:
            raise explain(exc, self.bucket, out.key) from None
        self.etags[out.key] = done.get("ETag", "")

    def _upload_parts(self, out: Output, key: str, extra: dict, sent) -> None:
        """A file over the multipart threshold, in parts, through boto3's transfer manager
        (imported only when a run has such a file to send)."""
        from boto3.exceptions import S3UploadFailedError
        from boto3.s3.transfer import S3Transfer, TransferConfig

        config = TransferConfig(multipart_threshold=self.multipart,
                                multipart_chunksize=self.multipart, max_concurrency=4)
        try:
            with S3Transfer(self.client, config) as transfer:
                transfer.upload_file(str(out.path), self.bucket, key, extra_args=extra,
                                     callback=sent)
        except S3UploadFailedError as exc:  # the transfer wraps the ClientError in its text
            raise PublishError(f"S3 error for bucket {self.bucket!r}, object {out.key!r}: "
                               f"{redact_text(exc)}") from None

    def stale_headers(self, out: Output) -> bool:
        """Whether the object's content is right but its headers (or its site id) are not."""
        row = self.state.get(out.key)
        return row is not None and (row.get("content_type") != out.content_type
                                    or row.get("cache_control") != out.cache_control
                                    or bool(row.get("unstamped")))

    def copy_headers(self, out: Output) -> None:
        """Fix an object's headers with a server-side copy onto itself: no re-upload."""
        key = self._key(out.key)
        extra = {"ACL": self.cfg.acl} if self.cfg.acl else {}
        if out.redirect:  # (a copy that replaces the headers keeps none it is not given)
            extra["WebsiteRedirectLocation"] = out.redirect
        try:
            meta = self.client.head_object(Bucket=self.bucket, Key=key).get("Metadata", {})
            done = self.client.copy_object(
                Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": key},
                MetadataDirective="REPLACE", ContentType=out.content_type,
                CacheControl=out.cache_control, Metadata={**meta, "site": self.site_id},
                **extra)
        except STORE_ERRORS as exc:
            raise explain(exc, self.bucket, out.key) from None
        self.etags[out.key] = done.get("CopyObjectResult", {}).get("ETag", "")

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except STORE_ERRORS as exc:
            raise explain(exc, self.bucket, key) from None

    def begin(self, plan) -> None:
        """Before the first change: the manifest as it stands, with every key this run will
        write, copy or delete marked pending (so a run that dies half-way is finished, not
        redone, by the next one)."""
        self._settle()
        touched = ({w.output.key for w in plan.writes} | {o.key for o in plan.header_fixes}
                   | set(plan.deletes))
        rows = [self._stored(r) for k, r in self.state.items() if k not in touched]
        # the generation the site had: this run's is recorded by finish, once the catalog has it
        self._put_manifest(rows + [{"key": k, "pending": True} for k in sorted(touched)],
                           self._carried)

    def finish(self, manifest: list[dict], stamp: tuple[int, str]) -> None:
        """Record what the bucket holds now and the publishing catalog's generation ``stamp``,
        last of all, after the catalog committed both (nothing is sent if nothing changed)."""
        self._settle()
        rows = [self._stored(r) for r in manifest]
        state = {"generation": stamp[0], "catalog": stamp[1]}
        if self._loaded is not None and {r["key"]: r for r in rows} == self._loaded \
                and self._carried == state:
            return
        self._put_manifest(rows, state)
        moved, self._carried = self._carried is None, state
        if moved:  # the generation an earlier syndicate kept beside the manifest is in it now
            self._drop_old_state()

    def record_generation(self, stamp: tuple[int, str], site_id: str | None) -> bool:
        """A queue change's generation, written into the site's manifest at once (queue and
        unqueue): a catalog backup taken before it is then older than the site. Only a sound
        manifest of this catalog's site is rewritten, with its rows as they are; returns
        whether it was (else the next publish records it)."""
        body = self._get_manifest()
        if body is None:
            return False
        try:
            found = manifests.read(body, self.name + MANIFEST_KEY)
        except (manifests.DamagedManifest, manifests.NewerManifest):
            return False
        known = self.cfg.site_id or site_id
        if found.site is None or found.site != known:
            return False
        carried = found.state or {"generation": -1}
        if carried["generation"] >= stamp[0]:
            return True  # the site already records as much (a publish since)
        self.site_id = found.site
        self.site_url = found.site_url or self.site_url
        state = {"generation": stamp[0], "catalog": stamp[1]}
        rows = [r if r.get("pending") else dict(r) for r in found.rows.values()]
        self._put_manifest(rows, state)
        return True

    def _drop_old_state(self) -> None:
        """Delete ``.syndicate/state.json`` once the manifest carries the generation: a stale
        copy must not be read instead, should the manifest be damaged later (a failure here only
        leaves the copy, which the next such publish deletes)."""
        from ..generation import STATE_KEY

        with contextlib.suppress(ClientError, BotoCoreError):
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + STATE_KEY)

    def _stored(self, row: dict) -> dict:
        """A manifest row as the bucket keeps it: with its cache policy (the output's, else the
        object's as it stands) and ETag."""
        key = row["key"]
        was = self.state.get(key, {})
        etag = self.etags.get(key) or was.get("etag", "")
        return {"key": key, "sha256": row["sha256"], "size": row["size"],
                "content_type": row.get("content_type", ""),
                "cache_control": row.get("cache_control") or was.get("cache_control", ""),
                "input_hash": row.get("input_hash", ""), "etag": etag}

    def _put_manifest(self, rows: list[dict], state: dict | None) -> None:
        body = manifests.dump(self.site_id, self.site_url, rows, state)
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_KEY, Body=body,
                                   ContentType="application/json", CacheControl="no-cache")
        except STORE_ERRORS as exc:
            raise explain(exc, self.bucket) from None
