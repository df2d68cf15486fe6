"""Scaling out: the extraction tasks run on a Dask cluster through prefect-dask."""

from __future__ import annotations

import pytest

distributed = pytest.importorskip("distributed", reason="install the dask extra: pip install -e '.[dask]'")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  memory_limit="1GiB") as c:
        yield c


@pytest.mark.slow
def test_ingest_on_a_local_dask_cluster(prefect, mirror_base, tmp_path, cluster):
    from vpetl.flows.ingest import for_settings, ingest
    from vpetl.pipeline import Query
    from vpetl.settings import Settings

    settings = Settings(api_base=mirror_base, database_url=f"sqlite:///{tmp_path / 'dask.sqlite'}",
                        data_dir=tmp_path / "d", rate=100, runner="dask", dask_address=cluster.scheduler_address)
    result = for_settings(ingest, settings)(Query(session_year="2019-2020"), settings)
    assert (result.loaded, result.failed) == (15, 0)
    assert result.store["validations_passed"] == 12 and result.store["validations_failed"] == 0
    assert result.extraction_cpu_s > 0  # measured in the workers, and sent back
    done = {prefix: tp.state_counts.get("memory", 0) + tp.state_counts.get("released", 0)
            for prefix, tp in cluster.scheduler.task_prefixes.items()}
    assert sum(n for prefix, n in done.items() if "extract" in prefix) >= 15, done
