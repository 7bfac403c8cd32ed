"""CalVer versions: a month's first release, then numbered ones, never reused."""

import datetime as dt

from kg_pipeline.releases.version import is_version, next_version

NOVEMBER = dt.date(2026, 11, 30)


def test_a_months_releases_are_numbered_from_the_second_on() -> None:
    assert next_version(NOVEMBER, []) == "2026.11"
    assert next_version(NOVEMBER, ["2026.11"]) == "2026.11.2"
    assert next_version(NOVEMBER, ["2026.11", "2026.11.2"]) == "2026.11.3"
    assert next_version(dt.date(2027, 1, 2), ["2026.11", "2026.11.2"]) == "2027.01"


def test_a_new_version_comes_after_the_highest_taken() -> None:
    assert next_version(NOVEMBER, ["2026.11", "2026.11.3", "2026.10.7"]) == "2026.11.4"
    assert next_version(NOVEMBER, ["2026.10", "2026.12"]) == "2026.11"
    assert is_version("2026.11.2") and is_version("2026.11")
    assert not is_version(".2026.11.partial-1a2b") and not is_version("2026.1")
