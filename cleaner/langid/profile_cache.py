"""Keep the profile matrix on disk, so a run does not rebuild it from langdetect's JSON.

Building `Profiles` from langdetect's 55 JSON files takes about a tenth of a second of CPU, at
every `cleaner clean` and again in every worker process: a sixth of the start-up of a run
over a few hundred pages. The matrix depends only on those files, on `alpha` and `base_freq`,
and on the code that builds it, so it is kept as one uncompressed NumPy archive
(`langid-profiles.npz`, ~40 MB) in cleaner's cache directory (`cleaner.cache`), which loads
in a few milliseconds.

What keeps it right:

- the archive is trusted only under the same *stamp*: the SHA-256 of the building code
  (`profiles.py`, `ngrams.py`), `alpha`, `base_freq`, NumPy's version, and the name, size and
  modification time of every profile file. A reinstalled or edited langdetect, another
  version of cleaner or of NumPy rebuilds it;
- it is read with `allow_pickle=False` (arrays only, never code) and checked for shape,
  dtype and sorted keys; a file that fails any check, is not the user's own or can be written
  by others is ignored, as if absent, and the matrix is built from the JSON;
- it is written atomically (`cleaner.io.atomic.AtomicFile`); any error writing it only costs
  the build, never a failed run.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np

import cleaner.langid.ngrams as ngrams
import cleaner.langid.profiles as profiles_module
from cleaner.cache import trusted
from cleaner.io.atomic import AtomicFile
from cleaner.langid.profiles import Profiles, load_profiles

#: Bump when the archive's layout changes.
FORMAT = 1
FILE_NAME = "langid-profiles.npz"


def stamp(directory: Path, alpha: float, base_freq: float) -> str:
    """What the matrix depends on: the building code, the parameters and the profile files."""
    digest = hashlib.sha256(f"{FORMAT}\0{alpha!r}\0{base_freq!r}\0{np.__version__}".encode())
    for module in (profiles_module, ngrams):
        digest.update(b"\0" + Path(str(module.__file__)).read_bytes())
    for path in sorted(directory.iterdir()):
        info = path.stat()
        digest.update(f"\0{path.name}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    return digest.hexdigest()


def read_cached(path: Path, expected_stamp: str) -> Profiles | None:
    """The profiles stored at `path` under `expected_stamp`, or None for a missing, foreign,
    corrupt or differently stamped file."""
    if not trusted(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            if str(archive["stamp"]) != expected_stamp:
                return None
            languages = tuple(str(name) for name in archive["languages"])
            keys = archive["keys"]
            weights = archive["log_weights"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if keys.dtype != np.uint64 or weights.dtype != np.float32 or keys.ndim != 1:
        return None
    if weights.shape != (keys.size, len(languages)) or len(languages) < 2:
        return None
    if keys.size and not bool(np.all(keys[1:] > keys[:-1])):
        return None  # `Profiles.lookup` needs sorted, distinct keys
    return Profiles(languages, keys, weights)


def write_cached(path: Path, profiles: Profiles, the_stamp: str) -> None:
    """Replace the archive at `path` atomically; errors are swallowed (an optimisation only)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with AtomicFile(path) as fh:
            np.savez(
                fh,
                stamp=np.array(the_stamp),
                languages=np.array(profiles.languages),
                keys=profiles.keys,
                log_weights=profiles.log_weights,
            )
        os.chmod(path, 0o644)
    except OSError:
        pass


def cached_profiles(
    directory: Path, alpha: float, base_freq: float, cache: Path | None
) -> Profiles:
    """`load_profiles(directory, alpha, base_freq)`, from the archive in `cache` when it holds
    this very matrix, else built and stored there (`cache` None: no cache)."""
    if cache is None:
        return load_profiles(directory, alpha, base_freq)
    try:
        the_stamp = stamp(directory, alpha, base_freq)
    except OSError:
        return load_profiles(directory, alpha, base_freq)
    path = cache / FILE_NAME
    found = read_cached(path, the_stamp)
    if found is not None:
        return found
    built = load_profiles(directory, alpha, base_freq)
    write_cached(path, built, the_stamp)
    return built
