"""How STRING is downloaded: the protein info and the links file of the configured network.

A refresh fetches one network only (the full one is about ten times the physical one), so
the files depend on a setting, which reaches the download as the source's fetch options.
"""

from kg_pipeline.settings import Settings
from kg_pipeline.sources.spec import FetchJob
from kg_pipeline.sources.string.upstream import INFO_FILE, LINKS_FILES, STRING


def network_options(settings: Settings) -> dict[str, str]:
    """The download's options from the settings: which network's links to fetch."""
    return {"network": settings.string_network}


def fetch_network(job: FetchJob) -> None:
    """The protein info and the chosen network's links file."""
    network = job.options["network"]
    if network not in LINKS_FILES:
        raise ValueError(
            f"string: unknown network {network!r} (KG_STRING_NETWORK); "
            f"known: {', '.join(LINKS_FILES)}"
        )
    job.download(STRING.key, INFO_FILE)
    job.download(STRING.key, LINKS_FILES[network])
    job.log.info(f"string: the {network} network")
