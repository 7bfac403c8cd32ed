"""What a run's data is, said from a snapshot's MANIFEST: `DataOrigin`."""

from pathlib import Path

import pytest

from kg_pipeline.manifest import MANIFEST_NAME, DataOrigin, Manifest, ManifestEntry


def write_manifest(root: Path, origins: dict[str, str]) -> Manifest:
    manifest = Manifest()
    for file, origin in origins.items():
        manifest.add(ManifestEntry(file, "tsv", origin, "2025-01", 10, "0" * 64))  # type: ignore[arg-type]
    root.mkdir(parents=True, exist_ok=True)
    manifest.write(root / MANIFEST_NAME)
    return manifest


def test_a_mostly_synthetic_snapshot_is_not_for_curation(tmp_path: Path) -> None:
    write_manifest(
        tmp_path,
        {"hpo/hp.obo": "real", "hgnc/set.txt": "derived-from-real", "clingen/a.csv": "synthetic"},
    )
    origin = DataOrigin.of_snapshot(tmp_path)
    assert origin.kind == "synthetic" and not origin.is_real
    assert origin.describe() == (
        "synthetic offline snapshot: 1 of 3 files real (1 real, 1 derived-from-real, "
        "1 synthetic) — not for curation; `--mode live` loads the real sources"
    )


def test_a_derived_snapshot_is_not_real_and_an_all_real_one_is(tmp_path: Path) -> None:
    write_manifest(tmp_path / "d", {"a/1": "real", "b/2": "derived-from-real"})
    write_manifest(tmp_path / "r", {"a/1": "real", "b/2": "real"})
    derived, real = DataOrigin.of_snapshot(tmp_path / "d"), DataOrigin.of_snapshot(tmp_path / "r")
    assert (derived.kind, derived.is_real) == ("derived-from-real", False)
    assert (real.kind, real.is_real) == ("real", True)
    assert real.describe() == "real offline snapshot: 2 of 2 files real (2 real)"


def test_origin_of_some_files_and_of_live_and_manual_data(tmp_path: Path) -> None:
    write_manifest(tmp_path, {"hpo/hp.obo": "real", "clingen/a.csv": "synthetic"})
    assert DataOrigin.of_snapshot(tmp_path, ["hpo/hp.obo"]).kind == "real"
    assert DataOrigin.of_snapshot(tmp_path, ["clingen/a.csv", "gone/x"]).files == {"synthetic": 1}
    assert DataOrigin("live").is_real and DataOrigin("live").describe().startswith("live: ")
    assert DataOrigin("manual").describe().startswith("manual: ")
    assert "origin unknown" in DataOrigin.of_snapshot(tmp_path / "missing").describe()


def test_a_manifest_naming_a_path_outside_the_snapshot_is_refused(tmp_path: Path) -> None:
    for bad in ("../outside.tsv", "hgnc/../../outside.tsv", "/etc/passwd"):
        write_manifest(tmp_path, {"hgnc/ok.tsv": "real", bad: "real"})
        with pytest.raises(ValueError) as raised:
            Manifest.read(tmp_path / MANIFEST_NAME)
        message = str(raised.value)
        assert f"{bad!r} is not a path inside the snapshot" in message
        assert len(message.splitlines()) == 1
    write_manifest(tmp_path, {"hgnc/ok.tsv": "real", "gencc/x?format=new": "real"})
    assert len(Manifest.read(tmp_path / MANIFEST_NAME).entries) == 2
