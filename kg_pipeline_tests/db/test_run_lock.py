"""The gene database's run lock: refreshes share it, a rebuild holds it alone, a waiting run
names the holder and gives up after its timeout, and a killed holder holds nothing."""

import multiprocessing
import os
import signal
import time

import pytest
import sqlalchemy as sa

from kg_pipeline.db.run_lock import RunLockTimeout, acquire_run_lock, lock_holders


def _take(url: str, exclusive: bool = False, run_id: str = "r", timeout_s: float = 1) -> tuple:
    said: list[str] = []
    conn = acquire_run_lock(
        url,
        exclusive=exclusive,
        run_id=run_id,
        job_name="job",
        timeout_s=timeout_s,
        say=said.append,
    )
    return conn, said


def test_refreshes_share_the_lock_and_a_rebuild_waits_for_them_then_gives_up(
    gene_db_url: str,
) -> None:
    first, said_first = _take(gene_db_url, run_id="refresh-1")
    second, said_second = _take(gene_db_url, run_id="refresh-2")
    assert said_first == said_second == []  # shared: neither waited
    with pytest.raises(RunLockTimeout) as refused:
        _take(gene_db_url, exclusive=True, run_id="rebuild-1", timeout_s=0.6)
    message = str(refused.value)
    assert message.startswith("gave up after 1 s waiting for the gene database, held by run ")
    assert "refresh-1 (job, since " in message and "refresh-2 (job, since " in message
    assert "\n" not in message
    with sa.create_engine(gene_db_url).connect() as conn:
        assert sorted(h.run_id for h in lock_holders(conn)) == ["refresh-1", "refresh-2"]
    first.close()
    second.close()
    rebuild, said = _take(gene_db_url, exclusive=True, run_id="rebuild-2")
    assert said == []
    # Now a refresh waits for the rebuild: it says so once, naming it, then gives up.
    lines: list[str] = []
    started = time.monotonic()
    with pytest.raises(RunLockTimeout, match=r"held by run rebuild-2 \(job, since "):
        acquire_run_lock(
            gene_db_url,
            exclusive=False,
            run_id="refresh-3",
            job_name="job",
            timeout_s=1,
            say=lines.append,
        )
    assert time.monotonic() - started >= 1
    assert len(lines) == 1 and lines[0].startswith(
        "waiting for the gene database, held by run rebuild-2 (job, since "
    )
    assert lines[0].endswith("giving up after 1 s (KG_WAIT_TIMEOUT_S)")
    rebuild.close()


def _hold_for_ever(url: str, ready: "multiprocessing.synchronize.Event") -> None:
    acquire_run_lock(
        url, exclusive=True, run_id="doomed", job_name="rebuild", timeout_s=1, say=print
    )
    ready.set()
    time.sleep(600)


def test_a_holder_killed_with_sigkill_holds_nothing(gene_db_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold_for_ever, args=(gene_db_url, ready))
    holder.start()
    try:
        assert ready.wait(60)
        with pytest.raises(RunLockTimeout, match=r"held by run doomed \(rebuild"):
            _take(gene_db_url, run_id="refresh", timeout_s=0.1)
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(10)
        # The server frees it as soon as it sees the connection gone: well within 5 s.
        conn, _ = _take(gene_db_url, run_id="refresh", timeout_s=5)
        conn.close()
    finally:
        if holder.is_alive():
            holder.kill()
