"""A real IMAP server for the tests: Debian's dovecot, run on 127.0.0.1 with a temporary
configuration (plain login over loopback, one passwd-file user, maildir in a temporary
directory). Installed with apt-get when missing; the tests are skipped, with the reason,
only when it cannot be installed."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.channels.conftest import free_port

USER = "mailbox"
PASSWORD = "imap-Pa55-5ecret-value"


def _binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot",) if Path(p).exists()), None
    )


def ensure_dovecot() -> str:
    found = _binary()
    if found:
        return found
    if shutil.which("apt-get") is None:
        pytest.skip("dovecot is not installed and apt-get is not available to install it")
    command = ["apt-get", "install", "-y", "dovecot-imapd"]
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            pytest.skip("dovecot is not installed; installing it needs root and sudo is missing")
        command = ["sudo", "-n", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    found = _binary()
    if done.returncode != 0 or not found:
        pytest.skip(f"dovecot could not be installed ({' '.join(command)}): {done.stderr[-300:]}")
    return found


@dataclass
class Dovecot:
    binary: str
    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def write_config(self) -> None:
        if os.geteuid() == 0:  # dovecot refuses to run its logins as root
            internal, login = "dovecot", "dovenull"
        else:
            internal = login = pwd.getpwuid(os.getuid()).pw_name
        mail_user = pwd.getpwnam(internal)
        for folder in ("run", "state", "mail"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        os.chown(self.root / "mail", mail_user.pw_uid, mail_user.pw_gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        self.config.write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{self.root}/mail/%u
first_valid_uid = 0
default_internal_user = {internal}
default_internal_group = {_group(internal)}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={self.root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
        )

    def start(self) -> None:
        """In the foreground (``-F``), as our child: stopped by its pid, never by name."""
        log = (self.root / "stderr.log").open("ab")
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)], stdout=log, stderr=log
        )
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot is not answering: {self.log()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None

    def log(self) -> str:
        parts = [self.root / "dovecot.log", self.root / "stderr.log"]
        return " | ".join(p.read_text()[-1000:] for p in parts if p.exists())

    def client(self) -> IMAPClient:
        c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        c.login(USER, PASSWORD)
        return c

    def append(self, *raws: bytes, folder: str = "INBOX") -> None:
        with self.client() as c:
            for raw in raws:
                c.append(folder, raw)

    def renumber(self, folder: str = "INBOX") -> None:
        """Make the server give the folder a new UIDVALIDITY (as after a restore)."""
        self.stop()
        time.sleep(1.1)  # dovecot's UIDVALIDITY is a timestamp in seconds
        box = self.root / "mail" / USER
        if folder != "INBOX":
            box = box / f".{folder}"
        for path in box.glob("dovecot*"):
            path.unlink()
        self.start()


def _group(user: str) -> str:
    import grp

    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def start_dovecot(root: Path) -> Dovecot:
    server = Dovecot(ensure_dovecot(), root, free_port())
    server.write_config()
    server.start()
    return server
