"""The counting rules, all of them, after the IAB Podcast Measurement Technical Guidelines (v2).

Each rule and its reason is in the README ("Download counts"). The rules are SQL run by the
engine (DuckDB) over the requests the readers give (``REQUESTS``: one row a request), so that
no log line passes through Python on the usual path: a request is looked at alone first (what
it asked for, how it was answered, who asked), then the requests of one listener for one
episode in one day are summed (``BATCH``), and are one download once they reach
``needed_bytes`` (``DOWNLOADS``). The same SQL runs on Athena or Trino. The patterns are RE2's
(DuckDB's regular expressions).
"""

from __future__ import annotations

import math

WINDOW = "UTC day"  # one download per listener per episode per calendar day in UTC
KEPT_STATUSES = (200, 206)  # 304, redirects and errors delivered no audio
METHODS = ("GET",)  # HEAD asks about a file without taking it
PROBE = "bytes=0-1"  # players ask for two bytes to learn a file's size: not a listen
PROBE_BYTES = 2  # where a log does not say the range: a 206 of at most this many bytes
AUDIO_SECONDS = 60  # a download is the file's header plus one minute of audio (or all of it)
SALT_DAYS = 2  # a day's salt is kept this many days after it ends (logs arrive late), then gone
LISTENER_HEX = 24  # the hashed listener kept: the first 12 bytes of the SHA-256, in hex

# Bots, crawlers and server-side fetchers, by user agent (searched anywhere in it, ignoring
# case). An empty user agent (or one of only "-") is no listening app either.
BOTS: tuple[tuple[str, str], ...] = (
    (r"^\s*-?\s*$", "no user agent"),
    (r"bot\b|bot/|crawl|spider|slurp", "crawlers (Googlebot, bingbot, Applebot, ...)"),
    (r"facebookexternalhit|embedly|preview", "link previews"),
    (r"^\s*itms|itunes-feed|feedfetcher|feedburner|podcastindex|podnews|feedly", "feed checkers"),
    (r"curl/|wget/|python-requests|python-urllib|aiohttp|httpx|go-http-client|java/|"
     r"libwww-perl|okhttp/\S+\s*$|axios/|node-fetch|scrapy|httpclient|guzzle",
     "libraries and command-line tools"),
    (r"headlesschrome|phantomjs|lighthouse|pingdom|uptime|monitor|ia_archiver|archive\.org",
     "monitors, archivers and headless browsers"),
)
# Listening apps by user agent, first match wins (specific apps before Apple's shared player
# and before browsers); no match is "other".
APPS: tuple[tuple[str, str], ...] = (
    (r"spotify", "Spotify"),
    (r"overcast", "Overcast"),
    (r"pocket ?casts", "Pocket Casts"),
    (r"antennapod", "AntennaPod"),
    (r"castro", "Castro"),
    (r"podcast ?addict", "Podcast Addict"),
    (r"castbox", "Castbox"),
    (r"podverse", "Podverse"),
    (r"fountain", "Fountain"),
    (r"podcast ?guru", "Podcast Guru"),
    (r"player ?fm", "Player FM"),
    (r"^podcasts/|applecoremedia|itunes/|apple ?podcasts|watchos", "Apple Podcasts"),
    (r"vlc|mpv|foobar2000|winamp", "media players"),
    (r"mozilla/|chrome/|safari/|firefox/|edg/|opera", "web browsers"),
)
OTHER = "other"
# The published name of an episode's audio: ``<slug>-<12 hex>.<ext>`` (an older file of the
# same episode has another hash and counts for it too), however deep under a prefix.
PUBLISHED_NAME = r"[^\n]+-[0-9a-f]{12}\.[A-Za-z0-9]{1,8}"  # the file's name, after the last /


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_HEXTET = r"[0-9A-Fa-f]{1,4}"
# The SQL functions the rules are written with (DuckDB macros, made for each connection).
MACROS = (
    # an IPv4 address as Python's ipaddress takes it (no leading zeros), itself its network
    "CREATE OR REPLACE TEMP MACRO ipv4_ok(a) AS "
    f"regexp_full_match(a, '{_OCTET}(?:\\.{_OCTET}){{3}}')",
    "CREATE OR REPLACE TEMP MACRO ipv4_hextets(a) AS printf('%x:%x', "
    "split_part(a, '.', 1)::INT * 256 + split_part(a, '.', 2)::INT, "
    "split_part(a, '.', 3)::INT * 256 + split_part(a, '.', 4)::INT)",
    # an IPv6 address with a dotted IPv4 tail made all hextets (NULL if that tail is no IPv4)
    "CREATE OR REPLACE TEMP MACRO ipv6_hex(a) AS CASE WHEN NOT contains(a, '.') THEN a "
    "WHEN ipv4_ok(regexp_extract(a, '[^:]*$')) THEN "
    "regexp_replace(a, '[^:]*$', ipv4_hextets(regexp_extract(a, '[^:]*$'))) END",
    "CREATE OR REPLACE TEMP MACRO colons(x) AS length(x) - length(replace(x, ':', ''))",
    "CREATE OR REPLACE TEMP MACRO groups(x) AS CASE WHEN x = '' THEN 0 ELSE colons(x) + 1 END",
    # the eight hextets of an IPv6 address (all hextets), '::' filled with zeros; NULL if it is
    # none: hex digits in groups of one to four, eight groups, or fewer around one '::' that
    # stands for at least one
    "CREATE OR REPLACE TEMP MACRO ipv6_ok(x) AS "
    "NOT regexp_matches(x, '[^0-9A-Fa-f:]|[0-9A-Fa-f]{5}|:::|^:[^:]|[^:]:$|^:$') AND CASE "
    "WHEN NOT contains(x, '::') THEN colons(x) = 7 "
    "WHEN length(x) - length(replace(x, '::', '')) > 2 THEN FALSE "
    "ELSE colons(x) <= 7 OR (colons(x) = 8 AND (starts_with(x, '::') OR ends_with(x, '::'))) "
    "END",
    "CREATE OR REPLACE TEMP MACRO ipv6_full(x) AS CASE WHEN ipv6_ok(x) THEN "
    "CASE WHEN NOT contains(x, '::') THEN x "
    "ELSE concat_ws(':', nullif(split_part(x, '::', 1), ''), rtrim(repeat('0:', 8 - "
    "groups(split_part(x, '::', 1)) - groups(split_part(x, '::', 2))), ':'), "
    "nullif(split_part(x, '::', 2), '')) END END",
    "CREATE OR REPLACE TEMP MACRO hextet(h) AS coalesce(nullif(ltrim(lower(h), '0'), ''), '0')",
    "CREATE OR REPLACE TEMP MACRO hex_int(h) AS ('0x' || h)::INTEGER",
    # a listener's network from the eight hextets: an IPv4-mapped address is its IPv4 address,
    # any other the first 64 bits
    "CREATE OR REPLACE TEMP MACRO ipv6_network(hexes) AS CASE WHEN hexes IS NULL THEN NULL "
    f"WHEN regexp_full_match(hexes, '(?:0{{1,4}}:){{5}}[fF]{{4}}:{_HEXTET}:{_HEXTET}') THEN "
    "printf('%d.%d.%d.%d', hex_int(split_part(hexes, ':', 7)) // 256, "
    "hex_int(split_part(hexes, ':', 7)) % 256, hex_int(split_part(hexes, ':', 8)) // 256, "
    "hex_int(split_part(hexes, ':', 8)) % 256) "
    "ELSE hextet(split_part(hexes, ':', 1)) || ':' || hextet(split_part(hexes, ':', 2)) || ':' "
    "|| hextet(split_part(hexes, ':', 3)) || ':' || hextet(split_part(hexes, ':', 4)) || '::/64' "
    "END",
    # the slug of an episode's published audio, from the file's name (NULL for any other name)
    "CREATE OR REPLACE TEMP MACRO episode_slug(name) AS CASE WHEN "
    f"regexp_full_match(name, {_text(PUBLISHED_NAME)}) THEN left(name, length(name) - 14 - "
    "length(split_part(name, '.', -1))) END",
    # an address as a log gives it, without a zone (%eth0)
    "CREATE OR REPLACE TEMP MACRO address(ip) AS split_part(trim(ip), '%', 1)",
    "CREATE OR REPLACE TEMP MACRO is_bot(agent) AS regexp_matches(agent, "
    + _text("|".join(f"(?:{p})" for p, _ in BOTS)) + ", 'i')",
    "CREATE OR REPLACE TEMP MACRO app_of(agent) AS CASE "
    + " ".join(f"WHEN regexp_matches(agent, {_text(p)}, 'i') THEN {_text(name)}"
               for p, name in APPS) + f" ELSE {_text(OTHER)} END",
    # a probe for two bytes: by the Range where the log says it, else a 206 of two bytes
    "CREATE OR REPLACE TEMP MACRO is_probe(range, status, sent) AS CASE WHEN range IS NOT NULL "
    f"THEN lower(replace(range, ' ', '')) = {_text(PROBE)} "
    f"ELSE status = 206 AND sent <= {PROBE_BYTES} END",
    # the hashed listener: the day's salt (hex), the network and the user agent, SHA-256; the
    # address itself is never kept, and once the salt is gone nobody can tell whose hash it was
    "CREATE OR REPLACE TEMP MACRO listener_of(salt, network, agent) AS "
    f"left(sha256(salt || chr(10) || network || chr(10) || agent), {LISTENER_HEX})",
    # the same with the episode, for a day this run settles that had no salt before it (so no
    # listener of it is kept, now or before): a listener's requests for one episode that day
    # only told apart from the others within the run, by a shorter hash (MD5, 128 bits, as a
    # number: summed by it alone, faster than by texts), never kept
    "CREATE OR REPLACE TEMP MACRO run_listener_of(salt, network, agent, episode) AS "
    "md5_number(salt || chr(10) || network || chr(10) || agent || chr(10) || episode)",
)

def needed_bytes(size: int, seconds: float | None, kbps: int | None = None) -> int:
    """Bytes a listener must have been sent for a download: the file's header (what is not
    audio: the ID3 tag with its art) and one minute of audio, or the whole file if shorter.
    The audio's rate is the bitrate syndicate encoded at where known, else the file's size
    over its duration (a header of 0)."""
    if size <= 0:
        return 1
    if not seconds or seconds <= 0:
        return size
    rate = kbps * 125 if kbps else size / seconds  # bytes per second of audio
    header = max(0.0, size - rate * seconds)
    return max(1, min(size, math.ceil(header + AUDIO_SECONDS * rate)))


# What a reader gives the rules (``requests`` below): one row a line that is not blank, named
# by ``file`` and ``n`` (its line); ``ok`` where it is a request, then with its UTC ``day``,
# ``ip``, ``method``, ``path`` (URL-decoded), ``status``, ``sent`` (body bytes), ``range``
# (NULL where the log does not say) and ``agent``.
REQUESTS = ("file", "n", "line", "ok", "day", "ip", "method", "path", "status", "sent",
            "range", "agent")


# The part of an address that names a listener, in two steps (each a column, worked out once
# a row): ``hexes`` from ``a`` (the address without its zone), then ``network``: an IPv4
# address whole (as Python's ipaddress takes it: no leading zeros), an IPv4-mapped IPv6 address
# as its IPv4 address, any other IPv6 address its /64 (a household or a phone network takes a
# /64 and changes the rest at will); NULL for what is no address.
# An IPv6 address written as logs usually write it, all eight groups and the first four as
# ipaddress writes them (lower case, no leading zero, the first not 0: so not IPv4-mapped), is
# its /64 as it stands, with no work on its hextets (``hexes`` is then NULL).
_CANONICAL = "(?:[1-9a-f][0-9a-f]{0,3}|0)"
_PLAIN_V6 = f"[1-9a-f][0-9a-f]{{0,3}}(?::{_CANONICAL}){{3}}(?::{_HEXTET}){{4}}"
HEXES = (f"CASE WHEN contains(a, ':') AND NOT regexp_full_match(a, '{_PLAIN_V6}') "
         "THEN ipv6_full(ipv6_hex(a)) END")
NETWORK = ("CASE WHEN NOT contains(a, ':') AND ipv4_ok(a) THEN a "
           "WHEN NOT contains(a, ':') THEN NULL "
           f"WHEN hexes IS NULL AND regexp_full_match(a, '{_PLAIN_V6}') "
           "THEN regexp_extract(a, '^(?:[^:]*:){3}[^:]*') || '::/64' "
           "ELSE ipv6_network(hexes) END")


def _counts(method: str, status: str, sent: str, range_: str) -> str:
    """Whether a request (its fields as SQL) may count, before its episode and listener are
    looked at: a GET answered 200 or 206 that sends bytes and is no probe."""
    methods = ", ".join(_text(m) for m in METHODS)
    statuses = ", ".join(str(s) for s in KEPT_STATUSES)
    return (f"{method} IN ({methods}) AND {status} IN ({statuses}) AND {sent} > 0 "
            f"AND NOT is_probe({range_}, {status}, {sent})")


# The end of a batch's statement, over ``hits`` (one row a request that counts: ``day``,
# ``a`` and ``agent`` the keys of ``networks`` and ``apps``, ``episode``, ``sent``,
# ``needed``), ``apps`` (``key``, the user agent's ``agent`` and its ``app``; no bot) and
# ``networks`` (``key``, ``network``): each day's salt found once, a row a request hashed.
_DAYS = """
days AS (SELECT d.day, coalesce(lower(hex(s.salt)), left(sha256($nonce || d.day::VARCHAR), 32))
                AS salt, s.salt IS NOT NULL OR d.day >= $cutoff AS kept
         FROM (SELECT DISTINCT day FROM hits) d
         LEFT JOIN salts s ON s.day = d.day)"""
_LISTENS = """
SELECT NULL::VARCHAR AS file, NULL::BIGINT AS n, NULL::VARCHAR AS line, s.day,
       CASE WHEN d.kept THEN listener_of(d.salt, w.network, p.agent) END AS listener,
       CASE WHEN NOT d.kept THEN run_listener_of(d.salt, w.network, p.agent, s.episode) END
       AS run_id, s.episode, p.app, s.sent, s.needed, 0 AS lines
FROM hits s
JOIN apps p ON p.key = s.agent
JOIN networks w ON w.key = s.a
JOIN days d ON d.day = s.day"""


def batch_sql(requests: str) -> str:
    """The statement that sums a batch of ``requests`` (SQL giving REQUESTS) into the table
    ``batch``, in one query: one row per request that counts, with its day, hashed
    listener, episode, bytes and app (``listener`` not NULL; bots and fetchers left out),
    one row with the number of lines read (``lines``), and one row per line that is no
    request (``file``, ``n``, ``line``: for its reader to look at again). A request counts
    if it is a GET answered 200 or 206, sends bytes, is no probe, asks for an episode's
    published audio, comes from an address and from no bot. ``$nonce`` makes the salt of a
    day that has none yet (kept by ``NEW_SALTS`` at the end of the run). A day before
    ``$cutoff`` that has no salt yet is settled by this run and none of its listeners is
    kept: its requests are told apart by ``run_listener_of`` (in ``run_id``, with the bytes
    their episode ``needed``), the others by ``listener_of`` (in ``listener``).

    Each address's network is worked out once, each user agent's app and bot rule looked at
    once, each day's salt found once; a request that counts is then one row, hashed (summing
    here would cost more than it saves: the settle sums them all once). The addresses stay
    inside the query: no table holds one."""
    return f"""
CREATE OR REPLACE TEMP TABLE batch AS
WITH lines AS MATERIALIZED (
    SELECT CASE WHEN NOT ok THEN file END AS file, CASE WHEN NOT ok THEN n END AS n,
           CASE WHEN NOT ok THEN line END AS line, ok,
           CASE WHEN e.slug IS NOT NULL THEN day END AS day,
           CASE WHEN e.slug IS NOT NULL THEN address(ip) END AS a,
           CASE WHEN e.slug IS NOT NULL THEN agent END AS agent, e.slug AS episode,
           CASE WHEN e.slug IS NOT NULL THEN sent END AS sent, e.needed
    FROM (SELECT *, CASE WHEN ok AND {_counts("method", "status", "sent", "range")}
                    THEN episode_slug(split_part(path, '/', -1)) END AS slug
          FROM ({requests})) r
    LEFT JOIN episodes e ON e.slug = r.slug),
hits AS (SELECT day, a, agent, episode, sent, needed FROM lines WHERE episode IS NOT NULL),
apps AS (SELECT agent AS key, agent, app_of(agent) AS app
         FROM (SELECT any_value(agent) AS agent FROM hits GROUP BY agent)
         WHERE NOT is_bot(agent)),
networks AS (SELECT a AS key, network
             FROM (SELECT a, {NETWORK} AS network
                   FROM (SELECT a, {HEXES} AS hexes
                         FROM (SELECT DISTINCT a FROM hits)))
             WHERE network IS NOT NULL),{_DAYS}
SELECT NULL::VARCHAR AS file, NULL::BIGINT AS n, NULL::VARCHAR AS line, NULL::DATE AS day,
       NULL::VARCHAR AS listener, NULL::UHUGEINT AS run_id, NULL::VARCHAR AS episode,
       NULL::VARCHAR AS app, NULL::BIGINT AS sent, NULL::BIGINT AS needed,
       count(*) FILTER (WHERE ok) AS lines
FROM lines
UNION ALL
SELECT file, n, line, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 FROM lines
WHERE file IS NOT NULL
UNION ALL{_LISTENS}
"""


def _listed(param: str, column: str) -> str:
    """Texts given to the statement as one (``$param``: joined by line ends, which none of
    them holds), as a table: each with its index from 0."""
    return (f"(SELECT generate_subscripts(l, 1) - 1 AS id, unnest(l) AS {column} "
            f"FROM (SELECT string_split(${param}, chr(10)) AS l))")


# The statement that adds the requests that count among the rows the compiled reader read
# (``_s3scan``) to ``run_listens``, as ``batch_sql`` and KEEP_BATCH do. The table ``scanned``
# holds a row a request: ``day`` as days since 1970-01-01; ``ip``, ``method``, ``name`` and
# ``agent`` as indexes into the texts ``$ips``, ``$methods``, ``$names`` and ``$agents``;
# ``status``; ``sent``. The lines the reader did not take are already Python's. Each
# distinct text is looked at once: the method, the episode of the name, the network of the
# address, the app and bot rule of the user agent. The addresses stay inside the query, as
# in ``batch_sql``.
SCANNED_BATCH = f"""
INSERT INTO run_listens
SELECT day, listener, run_id, episode, app, sent, needed FROM (
WITH methods AS (SELECT id, method FROM {_listed("methods", "method")}),
names AS (SELECT n.id, e.slug, e.needed
          FROM {_listed("names", "name")} n JOIN episodes e ON e.slug = episode_slug(n.name)),
hits AS MATERIALIZED (
    SELECT DATE '1970-01-01' + r.day AS day, r.ip AS a, r.agent, n.slug AS episode,
           r.sent, n.needed
    FROM scanned r
    JOIN names n ON n.id = r.name
    JOIN methods m ON m.id = r.method
    WHERE {_counts("m.method", "r.status", "r.sent", "NULL")}),
apps AS (SELECT id AS key, agent, app_of(agent) AS app
         FROM {_listed("agents", "agent")}
         WHERE id IN (SELECT agent FROM hits) AND NOT is_bot(agent)),
networks AS (SELECT key, network
             FROM (SELECT key, {NETWORK} AS network
                   FROM (SELECT key, a, {HEXES} AS hexes
                         FROM (SELECT id AS key, address(ip) AS a FROM {_listed("ips", "ip")}
                               WHERE id IN (SELECT a FROM hits))))
             WHERE network IS NOT NULL),{_DAYS}{_LISTENS})
"""  # (every row has its listener or its run_id: the salt, network and agent are never NULL)


# The requests that count of one run, one row each, kept in a table of the run (in memory,
# never in the stats file): at the run's end the closed days are settled from them and the
# open days' summed into ``listens`` (``KEEP_RUN``).
RUN_LISTENS = ("CREATE OR REPLACE TEMP TABLE run_listens (day DATE, listener VARCHAR, "
               "run_id UHUGEINT, episode VARCHAR, app VARCHAR, sent BIGINT, needed BIGINT)")
KEEP_BATCH = """
INSERT INTO run_listens
SELECT day, listener, run_id, episode, app, sent, needed FROM batch
WHERE listener IS NOT NULL OR run_id IS NOT NULL
"""
# The salts the batches of a run made for days that had none: kept, so that the next run
# hashes those days' listeners alike.
NEW_SALTS = """
INSERT INTO salts
SELECT day, unhex(left(sha256($nonce || day::VARCHAR), 32))
FROM (SELECT DISTINCT day FROM run_listens WHERE day NOT IN (SELECT day FROM salts))
"""
# The run's requests for the open days (from ``$cutoff``), one row per listener, episode and
# day; the app is the one the listener's user agent names (one user agent, one app).
KEEP_RUN = """
INSERT INTO listens
SELECT day, listener, episode, any_value(app), sum(sent)::BIGINT
FROM run_listens WHERE day >= $cutoff GROUP BY day, listener, episode
"""  # (an open day's listeners are all ``listener``)


def _reached(sent: str, needed: str) -> str:
    """Whether a listener's requests for an episode in a day are a download."""
    return f"{sent} >= {needed}"


def downloads_sql(listens: str = "listens") -> str:
    """The requests of one listener for one episode in one day (in ``listens``: a table or a
    query), summed; a download when they reach the episode's needed bytes. The app is the one
    the listener's user agent names (the same user agent for every request of a listener, so
    one app)."""
    return f"""
SELECT l.day, l.episode, l.app, count(*) AS downloads
FROM (SELECT day, listener, episode, any_value(app) AS app, sum(sent) AS sent
      FROM {listens} GROUP BY day, listener, episode) l
JOIN episodes e ON e.slug = l.episode
WHERE {_reached("l.sent", "e.needed")}
GROUP BY l.day, l.episode, l.app
"""


DOWNLOADS = downloads_sql()
# The downloads of the days before ``$cutoff`` (settled): those of the listeners kept (the
# stats file's and this run's, ``downloads_sql``) and those of the listeners only this run
# knows (``run_id``: one number for a listener, an episode and a day, summed by it alone;
# each that reaches its episode's needed bytes counted once, by its first request).
SETTLED = f"""
SELECT day, episode, app, sum(downloads)::BIGINT AS downloads
FROM ({downloads_sql("(SELECT day, listener, episode, app, sent FROM listens UNION ALL "
                     "SELECT day, listener, episode, app, sent FROM run_listens "
                     "WHERE listener IS NOT NULL)")}
      UNION ALL
      SELECT r.day, r.episode, r.app, count(*) AS downloads
      FROM run_listens r
      SEMI JOIN (SELECT min(rowid) AS first FROM run_listens WHERE run_id IS NOT NULL
                 GROUP BY run_id HAVING {_reached("sum(sent)", "any_value(needed)")}) g
           ON r.rowid = g.first
      GROUP BY r.day, r.episode, r.app)
WHERE day < $cutoff
GROUP BY day, episode, app
"""
