"""The STRING download: the protein info and the links of the configured network, from the
emulator (live mode) and from a mirror, chosen by `KG_STRING_NETWORK`."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path
from typing import get_args

import pytest

from kg_pipeline.defs.resources import pipeline_resources
from kg_pipeline.devtools.emulator import UpstreamEmulator
from kg_pipeline.settings import Settings, StringNetwork
from kg_pipeline.sources.string.upstream import DEFAULT_NETWORK, INFO_FILE, LINKS_FILES, STRING
from kg_pipeline_tests.conftest import FAST_HTTP

LOG = logging.getLogger("test-string-fetch")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot directory holding the info file and every network's links file."""
    root = tmp_path_factory.mktemp("string-snapshot")
    files = {INFO_FILE: "#string_protein_id\tpreferred_name\tprotein_size\tannotation\n"}
    files |= {relpath: f"protein1 protein2 combined_score\n# {n}\n" for n, relpath in
              LINKS_FILES.items()}  # fmt: skip
    for relpath, text in files.items():
        path = root / STRING.key / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    return root


def fetch(settings: Settings, staging: Path) -> tuple[dict[str, bytes], str]:
    client = pipeline_resources(settings)["string_upstream"]
    job = client.fetch(staging, LOG, {})
    return {key: item.path.read_bytes() for key, item in job.fetched}, job.fetcher.mode


def test_the_networks_are_the_setting_s_values() -> None:
    assert tuple(LINKS_FILES) == get_args(StringNetwork)
    assert Settings.explicit().string_network == DEFAULT_NETWORK == "physical"
    assert STRING.files == (INFO_FILE, LINKS_FILES["physical"])


@pytest.mark.parametrize("network", get_args(StringNetwork))
def test_live_fetches_the_info_and_the_chosen_network(
    served: Path, tmp_path: Path, network: StringNetwork
) -> None:
    with UpstreamEmulator(served) as emulator:
        settings = Settings.explicit(
            data_dir=tmp_path,
            source_mode="live",
            upstream_url=emulator.url,
            string_network=network,
            **FAST_HTTP,
        )
        got, mode = fetch(settings, tmp_path / "staging")
        requested = [r.path for r in emulator.requests_for("string")]

    assert mode == "live"
    assert list(got) == [f"string/{INFO_FILE}", f"string/{LINKS_FILES[network]}"]
    assert (
        gzip.decompress(got[f"string/{LINKS_FILES[network]}"]).decode().endswith(f"# {network}\n")
    )
    assert len(requested) == 2  # one network only: never the others


def test_the_mirror_serves_the_default_network(served: Path, tmp_path: Path) -> None:
    settings = Settings.explicit(data_dir=tmp_path, mirror_dir=served)
    got, mode = fetch(settings, tmp_path / "staging")
    assert mode == "mirror"
    assert list(got) == [f"string/{INFO_FILE}", f"string/{LINKS_FILES['physical']}"]


def test_an_unknown_network_option_is_refused_with_the_known_ones(
    served: Path, tmp_path: Path
) -> None:
    client = pipeline_resources(Settings.explicit(data_dir=tmp_path, mirror_dir=served))[
        "string_upstream"
    ].model_copy(update={"options": {"network": "functional"}})
    with pytest.raises(ValueError, match=r"unknown network 'functional'.*known: physical, "):
        client.fetch(tmp_path / "staging", LOG, {})
