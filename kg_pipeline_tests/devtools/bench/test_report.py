"""The report's SPEC targets compare as the SPEC words them."""

from typing import Literal

import pytest

from kg_pipeline.devtools.bench.report import Target


@pytest.mark.parametrize(
    ("value", "threshold", "unit", "succeeded", "met"),
    [
        (59.9, 60.0, "s", True, True),
        (60.0, 60.0, "s", True, False),  # "under 60 s"
        (3.0, 3.0, "x", True, True),  # "within 3x"
        (3.01, 3.0, "x", True, False),
        (10.0, 60.0, "s", False, False),  # a failed rebuild meets no time target
        (None, 3.0, "x", True, None),
    ],
)
def test_targets_compare_as_the_spec_words_them(
    value: float | None,
    threshold: float,
    unit: Literal["s", "x", "bytes"],
    succeeded: bool,
    met: bool | None,
) -> None:
    target = Target("t", "t", value, threshold, unit, True, "", run_succeeded=succeeded)
    assert target.met is met
    assert target.to_json()["met"] is met
