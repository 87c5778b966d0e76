"""A real NetBox server for end-to-end tests: the session fixture `netbox`.

    def test_something(netbox):          # netbox.url, netbox.token, netbox.api()
        nb = netbox.api()                # a pynetbox.api for that server
        nb.dcim.sites.create(name="s1", slug="s1")

What it starts, all on 127.0.0.1, on free ports, under one directory from
pytest's tmp_path_factory, and stops again at the end of the session:

- PostgreSQL (Debian's postgresql-15, or the newest /usr/lib/postgresql/*/bin):
  a cluster made by initdb, run by `postgres` directly (no pg_ctl), TCP only,
  with fsync off (throwaway data). PostgreSQL refuses to run as root, so when
  the tests run as root the cluster belongs to the OS user `factoryspec-test`
  (made with useradd when missing) and lives in a directory of its own,
  $TMPDIR/factoryspec-pg-*, removed at teardown: that user cannot reach into
  pytest's temporary tree, which pytest keeps at mode 0700 (see _cluster_dir).
- Redis (Debian's redis-server), no persistence.
- NetBox, from PyPI, in its own venv built with Python 3.12 or newer
  (NetBox 4.7 needs it; found as $FACTORYSPEC_NETBOX_PYTHON, python3.12 or
  python3.13 on PATH, or under ~/.pyenv/versions). The wheel's console script
  `netbox` stands in for manage.py; the instance root (NETBOX_ROOT) holds only
  conf/configuration.py, written here (what `netbox setup` would scaffold, cut
  down to the settings a test server needs: hosts, database, Redis, secret key,
  API_TOKEN_PEPPERS for v2 `nbt_` tokens, no census or release check).
- gunicorn (a dependency NetBox pins) set up as NetBox's contrib/gunicorn.py
  deploys it, 2n+1 workers (5 on 2 cores; FACTORYSPEC_NETBOX_WORKERS changes
  it) of 3 threads, with the application preloaded once before the fork, so
  parallel requests are served in parallel (a benchmark measures throughput);
  not `netbox runserver`, which is one process meant for development.
- A superuser `admin` and a write-enabled v2 API token, made by `netbox shell`.
  The token is checked against /api/status/ before the fixture yields.

The cache, under $XDG_CACHE_HOME/factoryspec-tests (default ~/.cache/...):
- `netbox-venv-<version>`: the NetBox venv, built once (a venv half-built by
  an interrupted run has no `.complete` marker and is built again).
- `netbox-<version>-pg<major>.dump`: `pg_dump -Fc` of the database right after
  `netbox migrate`. `migrate` applies some 340 migrations (7 minutes of CPU);
  restoring the dump takes about a second. Delete the file to migrate afresh.

Measured on the 2-core machine while other processes kept both cores busy
(load average 2-3): the first run took 14 minutes to be ready (the venv 2
minutes with an empty pip cache, migrate 11 minutes; migrate alone took 7
minutes with a core to itself, the dump under a second); a cached run is ready
in 15-30 seconds (initdb 1 s, restore 1-4 s, superuser and token 4-6 s,
gunicorn loading NetBox 9-15 s), and teardown takes about 3 s.

Anything missing or failing (no PostgreSQL, Redis or Python 3.12, no network
for pip, a step over its time limit) skips the tests that use the fixture, with
"NetBox could not start: <why>" and the tail of the step's log; every step has
a time limit, so nothing hangs. FACTORYSPEC_SKIP_NETBOX=1 skips on purpose.
Every process started is stopped at teardown, whether the tests passed or not;
the servers also die with the test process if it is killed (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

NETBOX_VERSION = "4.7.3"
# gunicorn as NetBox's contrib/gunicorn.py deploys it: 2n+1 workers of 3 threads each.
_WORKERS_ENV = os.environ.get("FACTORYSPEC_NETBOX_WORKERS", "")
WORKERS = (int(_WORKERS_ENV) if _WORKERS_ENV.isdigit() and int(_WORKERS_ENV) > 0
           else 2 * len(os.sched_getaffinity(0)) + 1)
THREADS = 3
PG_USER = "factoryspec-test"      # the OS user that runs PostgreSQL when the tests run as root
CLUSTER_PREFIX = "factoryspec-pg-"
DB_NAME = DB_ROLE = "netbox"

# Time limits, in seconds, for each step (generous: the machine may be busy).
PIP_TIMEOUT = 1200
MIGRATE_TIMEOUT = 1800
STEP_TIMEOUT = 180
READY_TIMEOUT = 180
STOP_TIMEOUT = 20

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "factoryspec-tests"


class Unavailable(Exception):
    """NetBox cannot be started here; the message says why."""


@dataclass
class NetBox:
    """A running NetBox: its base URL and an API token with write rights."""

    url: str
    token: str
    version: str
    username: str
    password: str
    root: Path                                   # NETBOX_ROOT (conf/configuration.py)
    logs: Path                                   # one log per service and step
    workers: int                                 # gunicorn worker processes
    threads: int                                 # threads in each
    ports: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)    # seconds per start-up step

    def api(self):
        """A pynetbox client for this server."""
        import pynetbox

        return pynetbox.api(self.url, token=self.token)


# ---- small helpers -----------------------------------------------------------------------

def _tail(path: Path, n: int = 1500) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return text[-n:].strip()


def _free_ports(n: int) -> list[int]:
    """n distinct free TCP ports on loopback (all held open together, then released)."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(n)]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]


def _kill_group(proc: subprocess.Popen, first: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> None:
    """Stop a process started in its own session, then anything left in its group."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, first)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def _run(cmd: list, log: Path, timeout: float, what: str, *, env=None, cwd=None, user=None) -> str:
    """Run a command to completion with its output in `log`; Unavailable on failure or timeout.

    Output goes to a file, not a pipe, and the command gets its own process group, so a
    timeout kills everything it started and never waits on a grandchild holding a pipe."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(map(str, cmd))}\n".encode())
        out.flush()
        try:
            proc = subprocess.Popen([str(c) for c in cmd], stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True,
                                    **_as_user(user))
        except OSError as e:
            raise Unavailable(f"{what}: {e}") from e
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc, signal.SIGKILL, 5)
            raise Unavailable(f"{what} took over {timeout:.0f} s; log {log}:\n{_tail(log)}") from None
    if code != 0:
        raise Unavailable(f"{what} failed (exit {code}); log {log}:\n{_tail(log)}")
    return log.read_text(encoding="utf-8", errors="replace")


def _as_user(user: str | None) -> dict:
    return {} if user is None else {"user": user, "group": user, "extra_groups": []}


@contextlib.contextmanager
def _lock(path: Path, timeout: float):
    """An exclusive lock on `path` (other test runs building the same cache wait)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Unavailable(f"another run held {path} for over {timeout:.0f} s") from None
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# ---- finding the tools -------------------------------------------------------------------

def _pg_bindir() -> tuple[Path, str]:
    """PostgreSQL's server binaries, newest major version first, and that major version."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                        if Path(p).parent.name.isdigit() else 0, reverse=True)
    if shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
            candidates.append(out.stdout.strip())
    for d in candidates:
        if d and all(os.access(Path(d) / b, os.X_OK) for b in ("initdb", "postgres", "pg_dump", "pg_restore")):
            with contextlib.suppress(OSError, subprocess.SubprocessError, IndexError):
                out = subprocess.run([Path(d) / "postgres", "--version"], capture_output=True, text=True, timeout=10)
                return Path(d), out.stdout.split()[-1].split(".")[0]    # "postgres (PostgreSQL) 15.18"
    raise Unavailable("PostgreSQL server not found (install the Debian package postgresql-15)")


def _python312() -> str:
    """An interpreter for NetBox: Python 3.12 or newer."""
    candidates = [os.environ.get("FACTORYSPEC_NETBOX_PYTHON", "")]
    candidates += [shutil.which(n) or "" for n in ("python3.12", "python3.13")]
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates += sorted(glob.glob(str(pyenv / "3.12*/bin/python3.12")), reverse=True)
    candidates += sorted(glob.glob(str(pyenv / "3.13*/bin/python3.13")), reverse=True)
    for c in candidates:
        if not c or not os.access(c, os.X_OK):
            continue
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([c, "-c", "import sys, venv; print(sys.version_info >= (3, 12))"],
                                 capture_output=True, text=True, timeout=30)
            if out.stdout.strip() == "True":
                return c
    raise Unavailable("no Python 3.12 or newer found for NetBox (set FACTORYSPEC_NETBOX_PYTHON)")


def _venv_works(venv: Path) -> bool:
    """The venv's interpreter still runs and imports NetBox (its base Python may have gone)."""
    try:
        proc = subprocess.run([venv / "bin" / "python", "-c", "import gunicorn, netbox"], capture_output=True,
                              timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and (venv / "bin" / "gunicorn").exists()


def _netbox_venv(logs: Path) -> Path:
    """The cached venv with NetBox installed, built on first use."""
    venv = CACHE / f"netbox-venv-{NETBOX_VERSION}"
    marker = venv / ".complete"
    with _lock(CACHE / "netbox-venv.lock", PIP_TIMEOUT):
        if marker.exists() and _venv_works(venv):
            return venv
        python = _python312()
        shutil.rmtree(venv, ignore_errors=True)
        log = logs / "pip.log"
        _run([python, "-m", "venv", venv], log, STEP_TIMEOUT, "creating the NetBox venv")
        _run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check",
              "--timeout", "60", "--retries", "2",
              f"netbox=={NETBOX_VERSION}"], log, PIP_TIMEOUT, f"pip install netbox=={NETBOX_VERSION}")
        if not (venv / "bin" / "gunicorn").exists():
            raise Unavailable(f"netbox {NETBOX_VERSION} did not bring gunicorn into {venv}")
        marker.write_text(NETBOX_VERSION + "\n")
        return venv


def _ensure_pg_user() -> str | None:
    """The OS user to run PostgreSQL as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        proc = subprocess.run([useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                               "--shell", "/usr/sbin/nologin", PG_USER], capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            raise Unavailable(f"cannot create the OS user {PG_USER} for PostgreSQL: {proc.stderr.strip()}")
    return PG_USER


def _cluster_dir(stack: contextlib.ExitStack, base: Path, pg_user: str | None) -> Path:
    """Where the PostgreSQL cluster lives.

    As ourselves: in `base`. As root, PostgreSQL runs as pg_user, which cannot reach into
    pytest's temporary tree (/tmp/pytest-of-root is 0700, and every pytest run started
    as root, this one or a concurrent one, sets it back to 0700), so the cluster gets a
    directory of its own in the system temporary directory, owned by pg_user and removed
    at teardown; ones left by a killed run are removed by the next."""
    if pg_user is None:
        path = base / "pg"
        path.mkdir()
        return path
    _remove_stale_clusters()
    path = Path(tempfile.mkdtemp(prefix=CLUSTER_PREFIX))
    stack.callback(shutil.rmtree, path, True)      # after PostgreSQL has stopped: the stack unwinds in reverse
    shutil.chown(path, pg_user, pg_user)
    return path


def _remove_stale_clusters(min_age: float = 600) -> None:
    for path in Path(tempfile.gettempdir()).glob(CLUSTER_PREFIX + "*"):
        with contextlib.suppress(OSError, ValueError):
            if time.time() - path.stat().st_mtime < min_age:
                continue
            pidfile = path / "data" / "postmaster.pid"
            if pidfile.exists():
                pid = int(pidfile.read_text().split()[0])
                try:
                    os.kill(pid, 0)
                    continue                       # still running: another run's server
                except ProcessLookupError:
                    pass
            shutil.rmtree(path, ignore_errors=True)


# ---- the services ------------------------------------------------------------------------

def _wait_for(check, proc: subprocess.Popen, what: str, log: Path, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise Unavailable(f"{what} exited with {proc.returncode}; log {log}:\n{_tail(log)}")
        if check():
            return
        if time.monotonic() > deadline:
            raise Unavailable(f"{what} not ready after {timeout:.0f} s; log {log}:\n{_tail(log)}")
        time.sleep(0.25)


try:                                            # looked up here: the child may no longer read Python's files
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _PRCTL = None


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the test process dies, even by SIGKILL itself,
    so no server outlives a killed run (Linux's PR_SET_PDEATHSIG; Python runs this after the
    switch of user, which would clear it)."""
    if _PRCTL is not None:
        _PRCTL(1, int(signal.SIGKILL))              # 1 = PR_SET_PDEATHSIG


def _start(stack: contextlib.ExitStack, cmd: list, log: Path, stop_signal=signal.SIGTERM,
           stop_timeout: float = STOP_TIMEOUT, **kw) -> subprocess.Popen:
    """Start a server in its own process group; the stack stops it (stop_signal, then
    SIGKILL to the group after stop_timeout)."""
    user = kw.pop("user", None)
    out = open(log, "ab")
    stack.callback(out.close)
    try:
        proc = subprocess.Popen([str(c) for c in cmd], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=_die_with_parent, **_as_user(user), **kw)
    except OSError as e:
        raise Unavailable(f"cannot start {cmd[0]}: {e}") from e
    stack.callback(_kill_group, proc, stop_signal, stop_timeout)
    return proc


def _pg_accepts(bindir: Path, port: int) -> bool:
    proc = subprocess.run([bindir / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port), "-U", DB_ROLE],
                          capture_output=True, timeout=10)
    return proc.returncode == 0


def _redis_pongs(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _http_answers(url: str, token: str | None = None) -> int | None:
    """The HTTP status of a GET, or None when nothing answered (any status means it is up)."""
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except (OSError, ValueError):
        return None


def _configuration(pg_port: int, redis_port: int) -> str:
    redis = {"HOST": "127.0.0.1", "PORT": redis_port, "USERNAME": "", "PASSWORD": "", "SSL": False}
    return f"""\
# Written by the test fixture (tests/netbox_service.py) for a throwaway server on loopback.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {{"default": {{
    "ENGINE": "django.db.backends.postgresql", "NAME": {DB_NAME!r}, "USER": {DB_ROLE!r}, "PASSWORD": "",
    "HOST": "127.0.0.1", "PORT": "{pg_port}", "CONN_MAX_AGE": 300,
}}}}
REDIS = {{
    "tasks": {{**{redis!r}, "DATABASE": 0}},
    "caching": {{**{redis!r}, "DATABASE": 1}},
}}
SECRET_KEY = {secrets.token_urlsafe(48)!r}
API_TOKEN_PEPPERS = {{1: {secrets.token_urlsafe(48)!r}}}
CENSUS_REPORTING_ENABLED = False
RELEASE_CHECK_URL = None
DEBUG = False
"""


MAKE_ADMIN = """\
import os
from users.models import Token, User
user = User.objects.create_superuser(os.environ["NB_USER"], "admin@example.invalid", os.environ["NB_PASSWORD"])
token = Token(user=user, token=os.environ["NB_TOKEN"], write_enabled=True, description="factoryspec tests")
token.full_clean()
token.save()
print("TOKEN-KEY=" + token.key)
"""


GUNICORN_CONF = """\
# Written by the test fixture (tests/netbox_service.py); NetBox's contrib/gunicorn.py, plus preload.
import ctypes
import signal

workers = {workers}
threads = {threads}
timeout = 120
max_requests = 5000
max_requests_jitter = 500
preload_app = True
graceful_timeout = 2


def post_fork(server, worker):
    # A worker dies with the master, even when the master is killed (PR_SET_PDEATHSIG).
    ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))
"""


def start_netbox(stack: contextlib.ExitStack, base: Path) -> NetBox:
    """Start PostgreSQL, Redis and NetBox under `base`; `stack` stops them again."""
    if os.environ.get("FACTORYSPEC_SKIP_NETBOX", "") not in ("", "0"):
        raise Unavailable("FACTORYSPEC_SKIP_NETBOX is set")
    bindir, pg_major = _pg_bindir()
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise Unavailable("redis-server not found (install the Debian package redis-server)")
    logs = base / "logs"
    logs.mkdir(parents=True)
    timings: dict[str, float] = {}
    clock = [time.monotonic()]

    def mark(step: str) -> None:
        now = time.monotonic()
        timings[step] = round(now - clock[0], 1)
        clock[0] = now

    venv = _netbox_venv(logs)
    mark("venv")
    pg_user = _ensure_pg_user()
    ports = dict(zip(("postgres", "redis", "http"), _free_ports(3)))

    # PostgreSQL: a fresh cluster owned by pg_user, reachable over TCP on loopback only.
    pg = _cluster_dir(stack, base, pg_user)
    _run([bindir / "initdb", "-D", pg / "data", "-U", DB_ROLE, "--auth=trust", "-E", "UTF8", "--no-locale", "-N"],
         logs / "initdb.log", STEP_TIMEOUT, "initdb", cwd=pg, user=pg_user)
    postgres = _start(stack, [bindir / "postgres", "-D", pg / "data", "-h", "127.0.0.1", "-p", ports["postgres"],
                              "-k", "", "-c", "fsync=off", "-c", "synchronous_commit=off",
                              "-c", "full_page_writes=off", "-c", "max_connections=200"],
                      logs / "postgres.log", signal.SIGINT, cwd=pg, user=pg_user)   # SIGINT: fast shutdown
    _wait_for(lambda: _pg_accepts(bindir, ports["postgres"]), postgres, "PostgreSQL", logs / "postgres.log")
    mark("postgres")
    pg_args = ["-h", "127.0.0.1", "-p", str(ports["postgres"]), "-U", DB_ROLE]

    # Redis: no persistence, loopback only.
    (base / "redis").mkdir()
    redis = _start(stack, [redis_server, "--bind", "127.0.0.1", "--port", ports["redis"], "--save", "",
                           "--appendonly", "no", "--dir", base / "redis"], logs / "redis.log")
    _wait_for(lambda: _redis_pongs(ports["redis"]), redis, "Redis", logs / "redis.log")
    mark("redis")

    # NetBox's instance root and configuration.
    root = base / "netbox"
    (root / "conf").mkdir(parents=True)
    (root / "conf" / "__init__.py").write_text("")
    (root / "conf" / "configuration.py").write_text(_configuration(ports["postgres"], ports["redis"]))
    env = {**os.environ, "NETBOX_ROOT": str(root), "DJANGO_SETTINGS_MODULE": "netbox.settings",
           "PYTHONDONTWRITEBYTECODE": "1"}
    for k in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(k, None)
    nb = venv / "bin" / "netbox"

    # The database: the cached dump of a migrated one, else migrate (and cache the result).
    dump = CACHE / f"netbox-{NETBOX_VERSION}-pg{pg_major}.dump"
    db_log = logs / "database.log"
    _run([bindir / "createdb", *pg_args, DB_NAME], db_log, STEP_TIMEOUT, "createdb")
    restored = False
    if dump.exists():
        try:
            _run([bindir / "pg_restore", *pg_args, "-d", DB_NAME, "--no-owner", "--exit-on-error", dump],
                 db_log, STEP_TIMEOUT, "pg_restore of the cached database")
            restored = True
            mark("restore")
        except Unavailable:                   # a bad cache file: start over from migrate
            dump.unlink(missing_ok=True)
            _run([bindir / "dropdb", *pg_args, DB_NAME], db_log, STEP_TIMEOUT, "dropdb")
            _run([bindir / "createdb", *pg_args, DB_NAME], db_log, STEP_TIMEOUT, "createdb")
    if not restored:
        _run([nb, "migrate", "--no-input"], logs / "migrate.log", MIGRATE_TIMEOUT, "netbox migrate",
             env=env, cwd=root)
        mark("migrate")
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = dump.with_name(f"{dump.name}.{os.getpid()}.partial")
        _run([bindir / "pg_dump", *pg_args, "-Fc", "-f", partial, DB_NAME], db_log, STEP_TIMEOUT, "pg_dump")
        os.replace(partial, dump)
        mark("dump")

    # A superuser and a write-enabled v2 token (nbt_<key>.<secret>).
    username, password, secret = "admin", secrets.token_urlsafe(16), secrets.token_hex(20)
    out = _run([nb, "shell", "--no-imports", "-c", MAKE_ADMIN], logs / "admin.log", STEP_TIMEOUT,
               "creating the NetBox superuser and token",
               env={**env, "NB_USER": username, "NB_PASSWORD": password, "NB_TOKEN": secret}, cwd=root)
    keys = [line.split("=", 1)[1].strip() for line in out.splitlines() if line.startswith("TOKEN-KEY=")]
    if not keys:
        raise Unavailable(f"netbox shell printed no token; log {logs / 'admin.log'}")
    token = f"nbt_{keys[-1]}.{secret}"
    mark("admin")

    # gunicorn: the application loaded once (preload), then forked into the workers.
    url = f"http://127.0.0.1:{ports['http']}"
    server_log = logs / "gunicorn.log"
    (root / "gunicorn.conf.py").write_text(GUNICORN_CONF.format(workers=WORKERS, threads=THREADS))
    server = _start(stack, [venv / "bin" / "gunicorn", "--config", root / "gunicorn.conf.py",
                            "--bind", f"127.0.0.1:{ports['http']}", "--no-control-socket", "--error-logfile", "-",
                            "netbox.wsgi"],
                    server_log, stop_timeout=3, env=env, cwd=root)
    # (gunicorn 26's master lingers some 3 s after its workers have gone, even on SIGINT;
    # the throwaway server is not waited for longer than that)
    _wait_for(lambda: _http_answers(f"{url}/api/status/") is not None, server, "NetBox (gunicorn)", server_log)
    status = _http_answers(f"{url}/api/status/", token)
    if status != 200:
        raise Unavailable(f"NetBox answered {status} to /api/status/ with the new token; log {server_log}")
    mark("gunicorn")
    return NetBox(url=url, token=token, version=NETBOX_VERSION, username=username, password=password, root=root,
                  logs=logs, workers=WORKERS, threads=THREADS, ports=ports, timings=timings)


@pytest.fixture(scope="session")
def netbox(tmp_path_factory):
    """A running NetBox 4.7 (see the module docstring); skips when it cannot start."""
    with contextlib.ExitStack() as stack:
        try:
            service = start_netbox(stack, tmp_path_factory.mktemp("netbox"))
        except Unavailable as e:
            reason = f"NetBox could not start: {e}"
        except Exception as e:                # never an error: a test that needs NetBox skips
            reason = f"NetBox could not start: {type(e).__name__}: {e}"
        else:
            steps = ", ".join(f"{k} {v:g}" for k, v in service.timings.items())
            print(f"\nNetBox {service.version} at {service.url} (gunicorn, {service.workers} workers of "
                  f"{service.threads} threads), ready in "
                  f"{sum(service.timings.values()):.0f} s ({steps})", file=sys.stderr)
            yield service
            return
        print(f"\nSKIP: {reason}", file=sys.stderr)
        pytest.skip(reason)
