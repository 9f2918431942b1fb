"""Where a request goes after each node, by what it asks for.

- static asset: the CDN when there is one, it is up and it serves that asset (its
  ``assets``: the most requested share; a hit ends there, a miss fetches from the
  origin), else the origin's web servers;
- read: the web server, then the cache (a hit ends there), then a replica
  (or the primary); the database's answer fills the cache;
- write: the web server, then the primary; the cache entry is invalidated (or,
  by the cache's ``writes: expire``, kept until it expires: reads of it are stale).

A web server with no database holds the data itself: dynamic requests end there.
"""

from __future__ import annotations

from collections.abc import Callable

from architect.sim.engine.cachestore import KeyCache
from architect.sim.engine.geo import CrossCenterSync
from architect.sim.engine.replication import DataTiers
from architect.sim.engine.sessions import LocalSessions
from architect.sim.engine.stations import Request, Sink, Station

STATIC, READ, WRITE, JOB_WRITE = 0, 1, 2, 3  # a job write also publishes a background job


class FanOut:
    """A cross-shard query: one read per shard, done when the slowest answers."""

    __slots__ = ("failed", "pending", "request")

    def __init__(self, request: Request, parts: int) -> None:
        self.request = request
        self.pending = parts
        self.failed = False

    def part_done(self, part: Request, complete: Sink) -> None:
        """One shard answered; the query is done with the last (unless one part failed)."""
        self.pending -= 1
        if self.pending == 0 and not self.failed:
            self.request.hops = max(self.request.hops, part.hops)
            complete(self.request)


class Journey:
    """The routing of one wiring of the architecture (rebuilt when it changes)."""

    def __init__(
        self,
        *,
        now: Callable[[], float],
        complete: Sink,
        entry: Station,
        cdn: Station | None = None,
        cdn_store: KeyCache | None = None,
        cdn_keys: int = 0,
        cache: Station | None = None,
        cache_store: KeyCache | None = None,
        data: DataTiers | None = None,
        asset_version: int = 0,
        session_store: Station | None = None,
        sessions: LocalSessions | None = None,
        publish: Sink | None = None,
        center: str = "",
        sync: CrossCenterSync | None = None,
    ) -> None:
        self.now = now
        self.complete = complete
        self.entry = entry
        self.cdn = cdn
        self.cdn_store = cdn_store
        self.cdn_keys = cdn_keys  # assets 0 .. cdn_keys - 1 go through the CDN
        self.cache = cache
        self.cache_store = cache_store
        self.data = data
        self.asset_offset = asset_version << 32  # versioned URLs are new keys
        self.session_store = session_store
        self.sessions = sessions
        self.publish = publish
        self.center = center
        self.sync = sync

    def arrive(self, request: Request) -> None:
        """A request that DNS resolved."""
        cdn = self.cdn
        if (
            request.kind == STATIC
            and cdn is not None
            and not cdn.failed
            and request.key < self.cdn_keys
        ):
            cdn.arrive(request)
        else:
            self.entry.arrive(request)

    def after_cdn(self, request: Request) -> None:
        store = self.cdn_store
        assert store is not None
        key = request.key + self.asset_offset
        if store.get(key, self.now()):
            self.complete(request)
        else:
            store.put(key, self.now())
            self.entry.arrive(request)  # fetched from the origin

    def web_sink(self, station: Station, holds_data: bool) -> Sink:
        """What a web server does with a request it has worked on."""
        after = self.complete if holds_data else self.web_next()
        sessions = self.sessions
        if sessions is None or self.session_store is not None:
            return after

        def with_local_session(request: Request) -> None:
            if request.kind != STATIC:
                sessions.visit(station, request.user)
            after(request)

        return with_local_session

    def web_next(self) -> Sink:
        """``after_web``, with a shortcut for a plain read when no session store is in the way.

        Most requests are plain reads; the shortcut skips the checks that cannot
        apply to them (this wiring's are fixed until the next rewire) and goes to
        the cache or, with one shard, straight to its tier.
        """
        if self.session_store is not None or self.data is None:
            return self.after_web
        general, cache, data = self.after_web, self.cache, self.data
        tier = data.tiers[0] if len(data.tiers) == 1 else None

        def after_web(request: Request) -> None:
            if request.kind != READ or request.fanout:
                general(request)
            elif cache is not None and not cache.failed:
                cache.arrive(request)
            elif tier is not None and not tier.replicas:
                tier.primary.arrive(request)  # what ``reader`` answers
            else:
                data.for_key(request.key).reader(request).arrive(request)

        return after_web

    def database_next(self) -> Sink:
        """``after_database``, with a shortcut for a read that only has to be answered."""
        if self.sync is not None:
            return self.after_database
        general, complete = self.after_database, self.complete

        def after_database(request: Request) -> None:
            if request.kind == READ and not request.fill and request.parent is None:
                complete(request)
            else:
                general(request)

        return after_database

    def after_web(self, request: Request) -> None:
        data = self.data
        store = self.session_store
        if store is not None and request.kind != STATIC and not request.checked:
            request.checked = True
            store.arrive(request)  # comes back here once the session is found
            return
        if request.kind == JOB_WRITE and self.publish is not None:
            self.publish(Request(self.now(), WRITE, request.key, request.user))
        if request.kind == STATIC or data is None:
            self.complete(request)
        elif request.fanout and len(data.tiers) > 1:
            self._fan_out(request, data)
        elif request.kind >= WRITE:
            data.for_key(request.key).primary.arrive(request)
        else:
            cache = self.cache
            if cache is not None and not cache.failed and not request.fanout:
                cache.arrive(request)
            else:
                data.for_key(request.key).reader(request).arrive(request)

    def _fan_out(self, request: Request, data: DataTiers) -> None:
        fan = FanOut(request, len(data.tiers))
        for tier in data.tiers:
            part = Request(request.born, READ, request.key, request.user)
            part.hops, part.parent = request.hops, fan
            tier.reader(part).arrive(part)

    def after_cache(self, request: Request) -> None:
        store = self.cache_store
        assert store is not None and self.data is not None
        if store.get(request.key, self.now()):
            self.complete(request)
        else:
            request.fill = True
            self.data.for_key(request.key).reader(request).arrive(request)

    def after_database(self, request: Request) -> None:
        data = self.data
        assert data is not None
        store = self.cache_store
        sync = self.sync
        if sync is not None:
            if request.kind >= WRITE:
                request.extra_ms += sync.wrote(request.key, self.center, self.now())
            else:
                sync.read(request.key, self.center, self.now())
        if request.kind >= WRITE:
            data.for_key(request.key).wrote(request.key, self.now())
            if store is not None:
                store.written(request.key)
        elif (
            request.fill and store is not None and self.cache is not None and not self.cache.failed
        ):
            store.put(request.key, self.now())
        part_of = request.parent  # a cross-shard query, or a resharding's copy
        if part_of is None:
            self.complete(request)
        else:
            part_of.part_done(request, self.complete)
