"""Parsed YAML kept as JSON in the user's cache folder, keyed by the bytes it came from.

Importing PyYAML costs a pre-commit run a tenth of its time. The rule catalog and a `.toollint.yaml` change
rarely, so their parsed form is cached: a run over JSON files then never imports PyYAML. A cache that
cannot be read or written is ignored; the YAML is parsed as if there were none.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_CACHED_BYTES = 1 << 20


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "toollint"


def checksum(data: bytes) -> str:
    # tells edited bytes from cached ones; not a secure hash, and hashlib's import would cost more than the lookup
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}"


def cached(kind: str, key: bytes, parse: Callable[[], Any]) -> Any:
    """`parse()`'s result, from the cache when `key` was seen before.

    Only results that JSON keeps exactly are cached (YAML dates and non-string keys are not), and only for
    inputs of config size: a huge front matter is parsed, not copied into the user's cache folder."""
    if len(key) > MAX_CACHED_BYTES:
        return parse()
    path = cache_dir() / f"{kind}-{checksum(key)}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = parse()
    try:
        text = json.dumps(data)
        if json.loads(text) == data:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)
    except (OSError, TypeError, ValueError):
        pass
    return data
