"""The S3 target's client: botocore's own, made with less start-up work.

A publish that changes nothing spends most of its time starting up, and the client is on its
path: its first requests wait for it. Two pieces of botocore's start-up work are not needed by a
session that only ever makes S3 clients:

- before loading a model, botocore lists every service it knows (a directory walk over the
  400-odd services it ships: some 900 listdir and 2,700 stat calls) only to check that the one
  asked for is among them; here only S3's own folder is looked at;
- it reads its JSON models with an ordered mapping for every object; a plain dict keeps the same
  order (Python's dicts are ordered) and is built faster.

Requests, signing, retries, errors and the models themselves stay botocore's. boto3's client
would add only the transfer manager, which only a large upload needs (s3.py makes one then).
"""

from __future__ import annotations

import gzip
import json
import os

from botocore.config import Config
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader
from botocore.session import get_session

from .s3listing import ListingReaders

SERVICE = "s3"
_OPENERS = ((".json", open), (".json.gz", gzip.open))  # as botocore looks for its models


class _ModelFiles:
    """botocore's model files, read as plain JSON (the file loader's two methods)."""

    def exists(self, file_path: str) -> bool:
        return any(os.path.isfile(file_path + ext) for ext, _ in _OPENERS)

    def load_file(self, file_path: str):
        for ext, opener in _OPENERS:
            try:
                with opener(file_path + ext, "rb") as f:
                    return json.loads(f.read())
            except (FileNotFoundError, NotADirectoryError):
                continue
        return None


class _S3Models(Loader):
    """botocore's loader, for a session that makes only S3 clients: the services it knows of a
    type are S3 alone, where S3 has a model of that type."""

    def list_available_services(self, type_name: str) -> list[str]:
        try:
            self.determine_latest_version(SERVICE, type_name)
        except DataNotFoundError:
            return []
        return [SERVICE]


def make_client(cfg):
    """The client for the ``s3:`` settings ``cfg``."""
    session = get_session()
    session.register_component("data_loader", _S3Models(file_loader=_ModelFiles()))
    # a listing's pages are read by a reader of their own (s3listing.py); the store's dates (an
    # object's LastModified) are never read: they stay the text the store sent, not parsed by
    # dateutil for every object listed
    readers = ListingReaders()
    readers.set_parser_defaults(timestamp_parser=str)
    session.register_component("response_parser_factory", readers)
    return session.create_client(
        SERVICE, region_name=cfg.region, endpoint_url=cfg.endpoint_url,
        config=Config(
            retries={"mode": "standard", "total_max_attempts": cfg.max_attempts},
            request_checksum_calculation=cfg.checksum,
            response_checksum_validation=cfg.checksum,
            max_pool_connections=max(10, cfg.workers * 2),
            connect_timeout=10, read_timeout=60,
        ),
    )
