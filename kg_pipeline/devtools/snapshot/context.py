"""What every snapshot part needs: the writer, the arguments, seeded randomness, progress.

Each part asks for its own `random.Random` by name, so adding or changing one upstream's
generator never shifts the random stream of another (and the output of the rest stays
byte-identical). String seeds are hashed with SHA-512 by `random`, independent of
PYTHONHASHSEED.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kg_pipeline.devtools.snapshot.output import SnapshotWriter


@dataclass
class SnapshotContext:
    """Arguments of one generation run plus the writer every part writes through."""

    writer: SnapshotWriter
    seed: int
    scale: float
    progress: Callable[[str], None]

    def rng(self, name: str) -> random.Random:
        """A random stream private to `name` and determined by the seed alone."""
        return random.Random(f"kg-pipeline-snapshot:{self.seed}:{name}")

    def np_rng(self, name: str) -> np.random.Generator:
        """A numpy generator private to `name`, for bulk numeric draws."""
        digest = hashlib.sha256(f"kg-pipeline-snapshot:{self.seed}:{name}".encode()).digest()
        return np.random.Generator(np.random.PCG64(int.from_bytes(digest[:16], "little")))

    def scaled(self, full: int, minimum: int = 0) -> int:
        """`full` (the upstream's real size) times the scale, but never below `minimum`."""
        return max(minimum, math.ceil(full * self.scale))

    def say(self, message: str) -> None:
        self.progress(message)
