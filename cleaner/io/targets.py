"""Where a run may write, decided before it reads a byte or creates a work directory.

A run writes up to four files: the output, the rejects file, the report, and for `.txt` output
the meta side file (`cleaner.io.writers.outputs.meta_side_path`), and keeps a work directory.
`check_targets` refuses, with one `ConfigError` line (exit code 2), any of them that

- is one of the inputs (also through a symlink or a hard link): it would overwrite what the
  run reads;
- lies inside an input directory: the next run over that directory would read it back;
- contains an input (an output directory above an input): replacing it deletes the input;
- is the same file as another of them (special files such as `/dev/null` excepted);
- is an existing directory cleaner did not write (no `.cleaner-output` marker) and is not
  empty, for directory output, unless `overwrite` is set; or an existing directory where a
  file is to be written;

and any output name whose format cannot be told (`cleaner.io.formats.output_format`). Paths
are compared after resolving symlinks (`os.path.realpath`), so `out -> in/` is `in/`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from cleaner.errors import ConfigError
from cleaner.io.atomic import is_special_file, replaceable_directory
from cleaner.io.formats import STDIO, output_format
from cleaner.optional import PARQUET, require


@dataclass(frozen=True)
class _Place:
    """A path, its symlink-free absolute form, and (when it exists) its file identity."""

    path: str
    real: str
    inode: tuple[int, int] | None

    @classmethod
    def of(cls, path: str) -> _Place:
        real = os.path.realpath(path)
        try:
            info = os.stat(real)
        except (OSError, ValueError):
            return cls(path, real, None)
        return cls(path, real, (info.st_dev, info.st_ino))

    def same_as(self, other: _Place) -> bool:
        if self.inode is not None and other.inode is not None:
            return self.inode == other.inode
        return self.real == other.real

    def inside(self, directory: _Place) -> bool:
        """True when this path lies strictly below `directory`."""
        root = directory.real.rstrip(os.sep) + os.sep
        return self.real.startswith(root)


def check_targets(
    inputs: Sequence[str],
    *,
    output: str,
    rejects: str | None,
    report: str | None,
    meta: str | None = None,
    workdir: str | None = None,
    fmt: str = "auto",
    overwrite: bool = False,
) -> None:
    """Raise ConfigError, naming the path, for a target the run must not write (see the
    module docstring). `None` means "not written"; `-` (stdout) is never checked."""
    kind = output_format(output, fmt)
    if kind == "parquet":  # a missing pyarrow is found before any input is read or work made
        require(PARQUET, f"output {output}: writing Parquet")
    named = [
        ("output", output),
        ("--rejects", rejects),
        ("--report", report),
        ("meta file", meta),
        ("--workdir", workdir),
    ]
    targets = [(name, path) for name, path in named if path is not None and path != STDIO]
    sources = [_Place.of(path) for path in inputs if path != STDIO]
    places: list[tuple[str, _Place]] = []
    for name, path in targets:
        place = _Place.of(path)
        _check_against_inputs(name, place, sources)
        for other_name, other in places:
            if place.same_as(other) and not is_special_file(path):
                raise ConfigError(f"{name} and {other_name} are the same file: {path}")
        places.append((name, place))
        if os.path.isdir(path) and name != "--workdir":  # the work directory guards itself
            if name != "output" or kind != "dir":
                raise ConfigError(f"{name} {path}: is a directory, not a file")
            if not overwrite and not replaceable_directory(path):
                raise ConfigError(
                    f"output {path}: an existing directory cleaner did not write; refusing to"
                    " replace it (--overwrite replaces it and everything in it)"
                )


def _check_against_inputs(name: str, place: _Place, sources: Sequence[_Place]) -> None:
    for source in sources:
        if place.same_as(source):
            raise ConfigError(
                f"{name} {place.path}: is the input {source.path}; cleaner never overwrites"
                " its input"
            )
        if source.inode is not None and os.path.isdir(source.real) and place.inside(source):
            raise ConfigError(
                f"{name} {place.path}: lies inside the input directory {source.path}; the next"
                " run over it would read it back"
            )
        if source.inside(place):
            raise ConfigError(
                f"{name} {place.path}: contains the input {source.path}; writing it would"
                " replace the input"
            )
