"""Tools that test and measure the pipeline: the offline snapshot generator (`snapshot`), the
local upstream emulator (`emulator`) and the benchmark (`bench`).

They may import the pipeline; the pipeline never imports them (an import-linter contract in
pyproject.toml). Only the `kg-pipeline snapshot`, `emulate`, `bench` and mirror-mode `rebuild`
commands reach them, lazily.
"""
