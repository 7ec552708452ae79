"""A 200 MB digital product downloads through a real uvicorn (what `make run` starts) while the
server's memory stays flat.

The server runs in its own process, so its resident memory is its own: it serves this test's
database (committed data: a transactional test) and a private media folder of this test's own
(PRIVATE_MEDIA_ROOT). The file is sparse (200 MB of holes plus a marker every megabyte), so
making it costs nothing, and the bytes the client gets are checked against a hash of the file.
"""

import hashlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import DigitalProductFactory
from shomp.core.uploads import random_name

from .factories import OrderItemFactory

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024
FILE_SIZE = 200 * MB
MAX_GROWTH = 64 * MB  # the whole file read into memory first would be 200+ MB

SERVER = """
import socket, sys, uvicorn
listening = socket.socket(fileno=int(sys.argv[1]))
config = uvicorn.Config("shomp.asgi:application", lifespan="off", log_level="warning", access_log=False)
uvicorn.Server(config).run(sockets=[listening])
"""


def database_url() -> str:
    """This test's database, for the server process (SQLite file or PostgreSQL database)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def sparse_file(root: Path, size: int) -> str:
    """A private file of `size` bytes, mostly holes, stored under `root`; its storage name."""
    name = f"products/files/{random_name('zip')}"
    path = root / name
    path.parent.mkdir(parents=True)
    with path.open("wb") as out:
        out.truncate(size)
        for offset in range(0, size, MB):
            out.seek(offset)
            out.write(f"block {offset // MB:>6}".encode())
    return name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(MB):
            digest.update(block)
    return digest.hexdigest()


class Server:
    """uvicorn serving shomp.asgi in a child process, on a socket this process bound."""

    def __init__(self, log: Path, private_root: Path):
        self.listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listening.bind(("127.0.0.1", 0))
        self.listening.listen(16)  # requests wait in the backlog until uvicorn is up
        self.port = self.listening.getsockname()[1]
        self.log = log
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shomp.settings",
            "DATABASE_URL": database_url(),
            "PRIVATE_MEDIA_ROOT": str(private_root),
        }
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVER, str(self.listening.fileno())],
                pass_fds=[self.listening.fileno()],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"The server exited:\n{self.log.read_text()}")
            try:
                self.get("/", cookie="", timeout=1).read()
                return
            except OSError:  # still starting: the request waits in the backlog
                time.sleep(0.1)
        pytest.fail(f"The server did not start in 30 s:\n{self.log.read_text()}")

    def get(self, path: str, cookie: str, timeout: float = 60) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        return conn.getresponse()

    def memory(self, field: str = "VmRSS") -> int:
        """The server's resident memory now (VmRSS) or at its peak (VmHWM), in bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no {field} in /proc/{self.process.pid}/status")

    def reset_peak(self) -> bool:
        """Start VmHWM again from the current RSS (Linux 4.0+); False if the kernel says no."""
        try:
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.listening.close()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc (Linux)")
def test_a_200_mb_download_streams_through_uvicorn_while_server_memory_stays_flat(tmp_path):
    buyer = UserFactory()
    private_root = tmp_path / "private"
    name = sparse_file(private_root, FILE_SIZE)
    product = DigitalProductFactory(
        digital_file=name,
        digital_file_name="Album.zip",
        digital_file_type="application/zip",
        digital_file_size=FILE_SIZE,
    )
    item = OrderItemFactory(order__buyer=buyer, product=product)
    client = Client()
    client.force_login(buyer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    download = reverse("orders:download", kwargs={"order_uuid": item.order.uuid, "item_id": item.pk})
    expected = sha256_of(private_root / name)

    server = Server(tmp_path / "server.log", private_root)
    try:
        server.wait_until_up()
        # Warm up: settings, URLs, templates, sessions and the database connection are loaded
        # by the first requests, not by the download.
        for _ in range(2):
            page = server.get(item.order.get_absolute_url(), cookie)
            assert page.status == 200, page.read()[:2000]
            assert download.encode() in page.read()
        measured_peak = server.reset_peak()
        before = server.memory()
        peak = before
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.01):
                peak = max(peak, server.memory())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        response = server.get(download, cookie)
        assert response.status == 200
        assert response.getheader("Content-Length") == str(FILE_SIZE)
        assert response.getheader("Content-Disposition") == 'attachment; filename="Album.zip"'
        received, digest = 0, hashlib.sha256()
        while block := response.read(MB):
            received += len(block)
            digest.update(block)
        done.set()
        sampler.join()
        if measured_peak:
            peak = max(peak, server.memory("VmHWM"))
    finally:
        server.stop()

    assert received == FILE_SIZE
    assert digest.hexdigest() == expected
    assert peak - before < MAX_GROWTH, (
        f"the server grew by {(peak - before) / MB:.0f} MB serving a {FILE_SIZE // MB} MB file"
    )
