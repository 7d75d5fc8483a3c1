"""Types of wordvec's Rust extension (see ``wordvec/__init__.py`` for the functions users call)."""

import os
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

_Path = Union[str, "os.PathLike[str]"]

class Error(Exception):
    """A wordvec failure that is not a bad argument or a file's."""

class Stopped(Error):
    """The run stopped when a callback asked, after saving a checkpoint."""

class Model:
    """Word vectors with their words, in vocabulary (frequency) order."""

    @property
    def words(self) -> list[str]: ...
    @property
    def dim(self) -> int: ...
    @property
    def vectors(self) -> npt.NDArray[np.float32]: ...
    @property
    def metrics(self) -> list[dict[str, Any]]: ...
    @property
    def config(self) -> Optional[dict[str, Any]]: ...
    @property
    def run_dir(self) -> Optional[Path]: ...
    def index(self, word: str) -> int: ...
    def vector(self, word: str) -> npt.NDArray[np.float32]: ...
    def most_similar(
        self,
        positive: Union[str, Sequence[str], None] = None,
        negative: Union[str, Sequence[str], None] = None,
        topn: int = 10,
        restrict: Optional[int] = None,
    ) -> list[tuple[str, float]]: ...
    def similarity(self, a: str, b: str) -> float: ...
    def doesnt_match(self, words: Sequence[str]) -> str: ...
    def analogy(self, a: str, b: str, c: str, topn: int = 1) -> list[tuple[str, float]]: ...
    def evaluate(
        self,
        analogies: Optional[_Path] = None,
        similarity: Union[_Path, Sequence[_Path], None] = None,
        restrict: int = 30000,
    ) -> dict[str, Any]: ...
    def save(self, path: _Path, format: Optional[str] = None) -> None: ...
    def to_gensim(self) -> Any: ...
    def __len__(self) -> int: ...
    def __contains__(self, word: str) -> bool: ...

def train(
    corpus: list[str],
    output: Optional[str],
    settings: list[str],
    analogies: Optional[str],
    similarity: list[str],
    restrict: int,
    callback: Optional[Callable[[dict[str, Any]], bool]],
    progress: bool,
) -> Model: ...
def resume(
    run_dir: str,
    settings: list[str],
    analogies: Optional[str],
    similarity: list[str],
    restrict: int,
    callback: Optional[Callable[[dict[str, Any]], bool]],
    progress: bool,
) -> Model: ...
def load(path: str, mmap: bool) -> Model: ...
def settings_help() -> str: ...
def switches() -> list[str]: ...
