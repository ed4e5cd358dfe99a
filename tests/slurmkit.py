"""A real one-node Slurm on this machine for the cluster tests: munged, slurmctld and slurmd (Debian's
``slurm-wlm`` and ``munge``), started as root from a private folder with their own ports, key and
socket, and stopped again. ``.ci/run`` installs the packages; where they are missing or cannot run
(not root, no binaries), ``LocalSlurm.unavailable()`` says why and the tests skip with that reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

BINARIES = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo")
START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalSlurm:
    """One node (this host, CPUs = this machine's) in one partition ``debug``; ``env`` points the
    Slurm commands at it (``SLURM_CONF``)."""

    def __init__(self, folder: Path):
        self.dir = Path(folder)
        self.procs: list[subprocess.Popen] = []
        self.conf = self.dir / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}

    @staticmethod
    def unavailable() -> str | None:
        missing = [b for b in BINARIES if shutil.which(b) is None]
        if missing:
            return f"Slurm is not installed ({', '.join(missing)} missing; apt-get install slurm-wlm munge)"
        if os.geteuid() != 0:
            return "a local Slurm needs root (SlurmUser=root)"
        return None

    def start(self) -> LocalSlurm:
        for sub in ("state", "spool", "munge"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir / "munge", 0o700)
        key, sock = self.dir / "munge" / "munge.key", self.dir / "munge" / "munge.socket"
        subprocess.run(["mungekey", "--create", "--keyfile", str(key)], check=True, capture_output=True)
        self._spawn(
            ["munged", "--foreground", "--force", f"--key-file={key}", f"--socket={sock}"]
            + [
                f"--pid-file={self.dir / 'munge' / 'munged.pid'}",
                f"--seed-file={self.dir / 'munge' / 'seed'}",
            ]
            + [f"--log-file={self.dir / 'munge' / 'munged.log'}"],
            "munged",
        )
        self._wait(lambda: sock.exists(), "munged socket")
        self.conf.write_text(self._config(sock))
        self._spawn(["slurmctld", "-D", "-c", "-f", str(self.conf)], "slurmctld")
        self._spawn(["slurmd", "-D", "-f", str(self.conf)], "slurmd")
        self._wait(self._node_idle, "the node to be idle (sinfo)")
        return self

    def _config(self, sock: Path) -> str:
        host = socket.gethostname().split(".")[0]
        return "\n".join(
            [
                "ClusterName=qhb",
                f"SlurmctldHost={host}(127.0.0.1)",
                "SlurmUser=root",
                "SlurmdUser=root",
                "AuthType=auth/munge",
                "CredType=cred/munge",
                f"AuthInfo=socket={sock}",
                f"SlurmctldPort={_free_port()}",
                f"SlurmdPort={_free_port()}",
                f"StateSaveLocation={self.dir / 'state'}",
                f"SlurmdSpoolDir={self.dir / 'spool'}",
                f"SlurmctldPidFile={self.dir / 'slurmctld.pid'}",
                f"SlurmdPidFile={self.dir / 'slurmd.pid'}",
                f"SlurmctldLogFile={self.dir / 'slurmctld.log'}",
                f"SlurmdLogFile={self.dir / 'slurmd.log'}",
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none",
                "MpiDefault=none",
                "ReturnToService=2",
                "SchedulerType=sched/backfill",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_Core",
                "SlurmctldTimeout=30",
                "SlurmdTimeout=30",
                "InactiveLimit=0",
                "KillWait=5",
                f"NodeName={host} NodeAddr=127.0.0.1 CPUs={os.cpu_count() or 1} RealMemory=4000",
                "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
                "",
            ]
        )

    def _spawn(self, cmd: list[str], name: str) -> None:
        log = open(self.dir / f"{name}.out", "w")  # noqa: SIM115 - closed with the process
        self.procs.append(subprocess.Popen(cmd, env=self.env, stdout=log, stderr=log, start_new_session=True))

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if ready():
                return
            for proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{proc.args[0]} exited ({proc.returncode}); see {self.dir}")
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {what}; see {self.dir}")

    def _node_idle(self) -> bool:
        out = self.run("sinfo", "-h", "-o", "%T")
        return out.strip() in ("idle", "mixed", "allocated")

    def run(self, *cmd: str) -> str:
        done = subprocess.run(list(cmd), env=self.env, capture_output=True, text=True, timeout=30)
        return done.stdout

    def jobs(self) -> list[tuple[str, str]]:
        """``(job id, state)`` of every job in the queue."""
        out = self.run("squeue", "-h", "-o", "%i %T")
        return [tuple(line.split()) for line in out.splitlines() if line.strip()]

    def stop(self) -> None:
        for job_id, _ in self.jobs() if self.conf.exists() else []:
            self.run("scancel", job_id)
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
