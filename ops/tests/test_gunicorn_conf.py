import multiprocessing
import os
import runpy
from pathlib import Path

import pytest

from config import env

GUNICORN_CONF = str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py")


@pytest.fixture
def load_conf(monkeypatch, tmp_path):
    """Evaluate gunicorn.conf.py as gunicorn does, with a clean slate of GUNICORN_* variables."""
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "empty.env"))
    (tmp_path / "empty.env").write_text("")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "prometheus"))
    for name in [name for name in os.environ if name.startswith("GUNICORN_")]:
        monkeypatch.delenv(name)
    env._env_file_values.cache_clear()
    yield lambda: runpy.run_path(GUNICORN_CONF)
    env._env_file_values.cache_clear()


def test_workers_follow_the_cpu_count_unless_overridden(load_conf, monkeypatch):
    """2 x cores + 1 by default; GUNICORN_WORKERS wins."""
    assert load_conf()["workers"] == multiprocessing.cpu_count() * 2 + 1

    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    assert load_conf()["workers"] == 3


def test_the_worker_is_gunicorns_asgi_worker_serving_the_gated_wsgi_app(load_conf):
    """gunicorn's event loop reads each request; config.asgi is the app, whatever the command line."""
    conf = load_conf()

    assert conf["worker_class"] == "asgi"
    assert conf["wsgi_app"] == "config.asgi:application"
    assert conf["asgi_lifespan"] == "off"
    assert "threads" not in conf  # the asgi worker ignores it: GUNICORN_THREADS is config.asgi's


def test_django_runs_in_four_threads_per_worker_unless_gunicorn_threads_says_otherwise(
    load_conf, monkeypatch
):
    """Each thread keeps a database connection: the default is the old threaded worker's four."""
    import importlib

    import config.asgi

    assert importlib.reload(config.asgi).application.app.threads == 4

    monkeypatch.setenv("GUNICORN_THREADS", "2")
    assert importlib.reload(config.asgi).application.app.threads == 2

    monkeypatch.setenv("GUNICORN_THREADS", "0")
    with pytest.raises(env.ImproperlyConfiguredEnv, match="GUNICORN_THREADS"):
        importlib.reload(config.asgi)
    monkeypatch.delenv("GUNICORN_THREADS")
    importlib.reload(config.asgi)


def test_slow_body_limits_have_safe_defaults_and_follow_the_environment(load_conf, monkeypatch):
    """10 s of grace then 4 KiB/s for a body; typos stop start-up."""
    import importlib

    import config.asgi

    gate = importlib.reload(config.asgi).application
    assert (gate.timeout, gate.min_rate) == (10, 4096)

    monkeypatch.setenv("GUNICORN_BODY_TIMEOUT", "3")
    assert importlib.reload(config.asgi).application.timeout == 3

    monkeypatch.setenv("GUNICORN_BODY_MIN_RATE", "fast")
    with pytest.raises(env.ImproperlyConfiguredEnv, match="GUNICORN_BODY_MIN_RATE='fast' is not an integer"):
        importlib.reload(config.asgi)
    monkeypatch.delenv("GUNICORN_BODY_MIN_RATE")
    importlib.reload(config.asgi)


def test_production_defaults_for_shutdown_recycling_and_logs(load_conf):
    """Graceful shutdown, jittered recycling, no access log (the app logs requests itself)."""
    conf = load_conf()

    assert conf["graceful_timeout"] == 30
    assert conf["timeout"] == 60
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["accesslog"] is None
    assert conf["control_socket_disable"] is True


def test_an_invalid_worker_count_names_the_variable(load_conf, monkeypatch):
    """A typo stops gunicorn before it starts any worker."""
    monkeypatch.setenv("GUNICORN_WORKERS", "many")

    with pytest.raises(env.ImproperlyConfiguredEnv, match="GUNICORN_WORKERS='many' is not an integer"):
        load_conf()


def test_a_dead_workers_live_metrics_are_dropped_and_stale_files_cleared_at_start(load_conf, tmp_path):
    """child_exit removes the worker's live gauges; on_starting empties the directory of a past run."""
    conf = load_conf()
    directory = tmp_path / "prometheus"
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"stale")
    conf["on_starting"](server=None)
    assert list(directory.iterdir()) == []

    for name in ("gauge_liveall_4242.db", "gauge_livesum_4242.db", "counter_4242.db"):
        (directory / name).write_bytes(b"")

    conf["child_exit"](server=None, worker=type("Worker", (), {"pid": 4242})())

    # Counters of the dead worker still count; its live gauges are gone.
    assert sorted(p.name for p in directory.iterdir()) == ["counter_4242.db"]


def test_a_configured_metrics_directory_is_used_as_it_is(load_conf, tmp_path):
    """No temporary directory is made (or later removed) when PROMETHEUS_MULTIPROC_DIR is set."""
    conf = load_conf()

    assert conf["CREATED_METRICS_DIR"] is None
    conf["on_exit"](server=None)
    assert (tmp_path / "prometheus").exists() is False  # nothing made, nothing touched


def test_the_default_metrics_directory_is_in_memory_and_goes_with_the_server(load_conf, monkeypatch):
    """Workers write their metrics files on every request: /dev/shm, not a disk, when there is one."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    conf = load_conf()
    directory = Path(conf["CREATED_METRICS_DIR"])

    assert directory.is_dir()
    if Path("/dev/shm").is_dir():
        assert directory.parent == Path("/dev/shm")
    conf["on_exit"](server=None)
    assert not directory.exists()


def test_gunicorn_builds_no_access_log_lines_unless_an_access_log_is_asked_for(load_conf):
    """The JSON logging configuration alone must not switch on gunicorn's access-log work."""
    from types import SimpleNamespace

    from gunicorn.config import Config

    from ops.gunicorn_logging import Logger

    conf = load_conf()
    assert conf["logger_class"] == "ops.gunicorn_logging.Logger"
    cfg = Config()
    cfg.set("logconfig_dict", conf["logconfig_dict"])
    # Not Logger(cfg): its setup would apply the logging configuration to the test process.
    assert Logger.access_log_enabled.fget(SimpleNamespace(cfg=cfg)) is False  # type: ignore[attr-defined]

    cfg.set("accesslog", "-")
    assert Logger.access_log_enabled.fget(SimpleNamespace(cfg=cfg)) is True  # type: ignore[attr-defined]
