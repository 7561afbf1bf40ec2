"""Benchmark: publish to an S3-compatible store, against ``aws s3 sync`` of the same built site.

Generates a project of 1,000 posts and 200 episodes (1 MB MP3s), starts moto's S3 server on
127.0.0.1 in a process of its own (its request log gives the request counts), builds the site
into a local folder once, then prints for ``syndicate publish`` to ``s3://bench-ours/site`` and
for ``aws s3 sync`` of the built folder to ``s3://bench-aws/site`` (awscli from PyPI, installed
into a venv of its own on the first run):

- the first upload (time, requests, bytes);
- a run with nothing changed, five times each, the two tools taking turns (time as the median
  and as the best of five: on a shared machine the best run is the one least slowed by others;
  requests, PUTs; ours may make one manifest read and one LIST page per 1,000 objects);
- a run after one new episode (the objects each one uploads; ours must be exactly the new
  media plus the pages and feeds that changed, i.e. what the local folder target rewrote).

Both tools run as the command a user types, so both pay their start-up. Both start from
bytecode: pip compiled awscli's when it installed it; syndicate's own modules (an editable
install, which pip does not compile) are compiled once here, as its first run would (and as
no run does where PYTHONDONTWRITEBYTECODE is set).

    python benchmarks/s3.py [--posts 1000] [--episodes 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from publish import generate  # the publish benchmark's project generator

NOW = "2026-01-01T00:00:00+00:00"
AWSCLI_VENV = Path(tempfile.gettempdir()) / "syndicate-bench-awscli"
LOG_LINE = re.compile(r'"([A-Z]+) (\S+) HTTP/1\.[01]" (\d+)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def awscli() -> Path:
    exe = AWSCLI_VENV / "bin" / "aws"
    if not exe.exists():
        print("installing awscli from PyPI into", AWSCLI_VENV, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(AWSCLI_VENV)], check=True)
        subprocess.run([str(AWSCLI_VENV / "bin" / "pip"), "install", "-q", "awscli"], check=True)
    return exe


class Moto:
    """moto's S3 server in a process of its own; every request it serves is logged."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._fh = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._fh, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        self.mark = 0

    def requests(self) -> list[tuple[str, str, int]]:
        """The requests served since the last call: (method, path, status)."""
        time.sleep(0.3)  # let the server's log catch up
        lines = self.log.read_text(errors="replace").splitlines()
        new, self.mark = lines[self.mark:], len(lines)
        return [(m.group(1), m.group(2), int(m.group(3)))
                for line in new if (m := LOG_LINE.search(line))]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self._fh.close()


def timed(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.rglob("*") if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()

    aws = awscli()
    package = Path(__file__).resolve().parent.parent / "syndicate"
    compileall.compile_dir(package, quiet=1)  # as pip compiled awscli's (see the docstring)
    root = args.keep or Path(tempfile.mkdtemp(prefix="syndicate-s3-bench-"))
    if root.exists() and any(root.iterdir()):
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    print(f"generating {args.posts} posts and {args.episodes} episodes of 1 MB in {root}",
          flush=True)
    generate(root, args.posts, args.episodes, seconds=262)  # 32 kbit/s: about 1 MB each

    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret",
           "AWS_DEFAULT_REGION": "us-east-1", "SYNDICATE_PROGRESS": "0"}
    bindir = Path(sys.executable).parent
    syndicate = [str(bindir / "syndicate"), "publish", "--now", NOW]
    moto = Moto(root / "moto.log")
    try:
        import boto3

        client = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1",
                              aws_access_key_id="bench", aws_secret_access_key="bench-secret")
        for name in ("bench-ours", "bench-aws"):
            client.create_bucket(Bucket=name)
        local_cfg = root / "config.yaml"
        s3_cfg = root / "config-s3.yaml"
        s3_cfg.write_text(local_cfg.read_text().replace(
            "target: public", f"target: s3://bench-ours/site\ns3:\n  endpoint_url: {moto.url}\n"
                              "  region: us-east-1\n"))
        t = timed([*syndicate, "--config", str(local_cfg)], env)
        public = root / "public"
        size = sum(p.stat().st_size for p in public.rglob("*") if p.is_file())
        files = sum(1 for p in public.rglob("*") if p.is_file())
        print(f"built the site into a local folder: {files} files, {size / 2**20:.0f} MB, "
              f"{t:.1f} s (not part of the comparison)\n", flush=True)
        moto.requests()

        ours = [*syndicate, "--config", str(s3_cfg)]
        theirs = [str(aws), "s3", "sync", str(public), "s3://bench-aws/site",
                  "--endpoint-url", moto.url, "--only-show-errors"]

        def run(cmd) -> tuple[float, list]:
            """Time a command; its requests are those to its own bucket (the server's log may
            lag, so a line of the other tool's run can arrive late)."""
            elapsed = timed(cmd, env)
            bucket = "/bench-ours" if cmd is ours else "/bench-aws"
            return elapsed, [r for r in moto.requests()
                             if r[1] == bucket or r[1].startswith((bucket + "/", bucket + "?"))]

        def puts(reqs) -> list[str]:
            return [p for m, p, _ in reqs if m == "PUT"]

        rows = []
        t_ours, r_ours = run(ours)
        t_aws, r_aws = run(theirs)
        rows.append(("first upload", t_ours, len(r_ours), t_aws, len(r_aws)))
        print(f"first upload:  syndicate {t_ours:6.2f} s ({len(r_ours)} requests, "
              f"{len(puts(r_ours))} PUTs)   aws s3 sync {t_aws:6.2f} s ({len(r_aws)} requests, "
              f"{len(puts(r_aws))} PUTs)   ratio {t_ours / t_aws:.2f}", flush=True)

        objects = sum(len(page.get("Contents", [])) for page in client.get_paginator(
            "list_objects_v2").paginate(Bucket="bench-ours", Prefix="site/"))
        budget = 1 + -(-objects // 1000)  # the manifest, and one LIST page per 1,000 objects
        moto.requests()  # not the runs' own: the listing just made
        nc_ours, nc_aws = [], []
        for _ in range(5):
            nc_ours.append(run(ours))
            nc_aws.append(run(theirs))
        t_ours = statistics.median(t for t, _ in nc_ours)
        t_aws = statistics.median(t for t, _ in nc_aws)
        best = min(t for t, _ in nc_ours) / min(t for t, _ in nc_aws)
        req_ours = max(len(r) for _, r in nc_ours)
        req_aws = max(len(r) for _, r in nc_aws)
        put_ours = max(len(puts(r)) for _, r in nc_ours)
        print(f"no change:     syndicate {t_ours:6.2f} s ({req_ours} requests, {put_ours} PUTs)"
              f"   aws s3 sync {t_aws:6.2f} s ({req_aws} requests, "
              f"{max(len(puts(r)) for _, r in nc_aws)} PUTs)   ratio {t_ours / t_aws:.2f}, "
              f"best runs {best:.2f} (target <= 0.7, <= {budget} requests for {objects} "
              f"objects, 0 PUTs; load average {os.getloadavg()[0]:.1f})", flush=True)

        # one new episode: the local folder target shows which outputs changed
        ep = root / "episodes"
        first = sorted(ep.glob("*.mp3"))[0]
        (ep / "ep-new.mp3").write_bytes(first.read_bytes() + b"TAG" + b"new".ljust(125, b" "))
        (ep / "ep-new.yaml").write_text("title: A new episode\ndate: 2025-12-31 06:00\n"
                                        "notes: Fresh.\n")
        before = snapshot(public)
        timed([*syndicate, "--config", str(local_cfg)], env)
        after = snapshot(public)
        changed = {k for k in after if before.get(k) != after[k]}
        moto.requests()
        _, r_ours = run(ours)
        _, r_aws = run(theirs)
        sent = {p.split("/bench-ours/site/", 1)[1].split("?")[0] for p in puts(r_ours)}
        sent = {k for k in sent if not k.startswith(".syndicate/")}  # the site's own records
        changed = {k for k in changed if not k.startswith(".syndicate/")}
        media = sorted(k for k in sent if k.startswith("media/"))
        print(f"one new episode: syndicate uploaded {len(sent)} objects ({len(media)} media: "
              f"{', '.join(media)}; the rest pages and feeds: "
              f"{', '.join(sorted(sent - set(media)))})")
        print(f"                 the local folder target rewrote {len(changed)} files; "
              f"same set: {'yes' if sent == changed else 'NO'}")
        print(f"                 aws s3 sync uploaded {len(puts(r_aws))} objects")
    finally:
        moto.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
