"""The HTTP access layer: one session factory, retries, rate limits, the raw-file store and the
snapshot mirror.

`live.LiveFetcher` talks to the upstreams (or the local emulator standing in for them),
`mirror.MirrorFetcher` reads the same bytes from a snapshot directory; both satisfy
`transport.Fetcher`, so a source's download never knows which mode it runs in. Nothing here
knows which sources exist: callers pass each upstream's resolved endpoint.
"""
