"""wordvec: word embeddings (word2vec skip-gram and CBOW, GloVe) trained in Rust, from Python.

Train with every setting of ``wordvec train`` as a keyword argument (``help(wordvec.train)`` lists
them with their defaults), watch the true loss through callbacks, and hand the vectors to NumPy
(``model.vectors``, no copy) or gensim (``model.to_gensim()``)::

    import wordvec
    model = wordvec.train("corpus.txt", epochs=5, output="runs/a/vectors.bin")
    model.most_similar("king", topn=5)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, Union

from ._wordvec import Error, Model, Stopped
from ._wordvec import load as _load
from ._wordvec import resume as _resume
from ._wordvec import settings_help as _settings_help
from ._wordvec import switches as _switches
from ._wordvec import train as _train

__all__ = ["Error", "Model", "Stopped", "load", "resume", "train"]

PathLike = Union[str, "os.PathLike[str]"]
Corpus = Union[PathLike, Sequence[PathLike], Iterable[Sequence[str]]]
Record = dict[str, Any]
Callback = Callable[[Record], Optional[bool]]


def _flag(name: str, value: Any) -> list[str]:
    """One keyword argument as ``wordvec train``'s flag: ``max_vocab=10`` is ``--max-vocab 10``;
    ``True`` alone for switches, lists as several values."""
    flag = "--" + name.replace("_", "-")
    if value is True:
        return [flag] if name in _SWITCHES else [flag, "true"]
    if value is False:
        return [] if name in _SWITCHES else [flag, "false"]
    if isinstance(value, (list, tuple)):
        return [flag, *(os.fspath(v) if isinstance(v, os.PathLike) else str(v) for v in value)]
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    return [f"{flag}={value}"]


# Settings that are on/off switches rather than taking a value, as the extension's flags say.
_SWITCHES = set(_switches())


def _is_path(item: object) -> bool:
    return isinstance(item, (str, os.PathLike))


def _spool(sentences: Iterable[Sequence[str]], folder: str) -> str:
    """Writes token lists (gensim's corpus form) one sentence a line, streaming, into ``folder``."""
    path = os.path.join(folder, "corpus.txt")
    with open(path, "w", encoding="utf-8") as out:
        for n, sentence in enumerate(sentences, start=1):
            if isinstance(sentence, (str, bytes)):
                raise TypeError(
                    f"sentence {n}: expected a list of tokens, got {type(sentence).__name__}"
                )
            for token in sentence:
                if not isinstance(token, str):
                    raise TypeError(f"sentence {n}: token {token!r} is not a str")
                if not token or any(c.isspace() for c in token):
                    raise ValueError(f"sentence {n}: token {token!r} is empty or holds whitespace")
            out.write(" ".join(sentence))
            out.write("\n")
    return path


def _callback(callbacks: Sequence[Callback]) -> Optional[Callable[[Record], bool]]:
    if not callbacks:
        return None
    for c in callbacks:
        if not callable(c):
            raise TypeError(f"callbacks: {c!r} is not callable")

    def each(record: Record) -> bool:
        # Every callback sees every record; any one returning False stops the run.
        answers = [c(record) for c in callbacks]
        return all(a is not False for a in answers)

    return each


def _notebook_progress() -> Callback:
    """A progress display for where standard error is not a terminal (a notebook): tqdm's when
    it is installed, else a line per epoch."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        tqdm = None
    bar: list[Any] = []

    def show(record: Record) -> None:
        event = record["event"]
        if event == "start" and tqdm is not None:
            bar.append(tqdm(total=record["total_words"], initial=record["resumed_at"], unit="word"))
        elif event == "interval" and bar:
            bar[0].update(record["words"] - bar[0].n)
            bar[0].set_postfix(loss=f"{record['loss']:.4f}", lr=f"{record['lr']:.2e}")
        elif event == "epoch" and not bar:
            print(f"epoch {record['epoch'] + 1}: mean loss {record['loss']:.4f}", file=sys.stderr)
        elif event == "end" and bar:
            bar[0].close()

    return show


def _progress(progress: bool, callbacks: Sequence[Callback]) -> tuple[bool, list[Callback]]:
    """The library's bar where standard error is a terminal, else a notebook's display."""
    terminal = progress and sys.stderr.isatty()
    extra = [_notebook_progress()] if progress and not terminal else []
    return terminal, [*callbacks, *extra]


def _run_arguments(
    settings: dict[str, Any],
    analogies: Optional[PathLike],
    similarity: Sequence[PathLike],
    restrict: int,
    callbacks: Sequence[Callback],
    progress: bool,
) -> tuple[Any, ...]:
    """What the extension's ``train`` and ``resume`` take after their paths: the settings as
    flags, the benchmarks, the callback and whether the library draws the progress bar."""
    flags = [word for name, value in settings.items() for word in _flag(name, value)]
    terminal, callbacks = _progress(progress, callbacks)
    benchmark = os.fspath(analogies) if analogies is not None else None
    return (
        flags,
        benchmark,
        [os.fspath(s) for s in similarity],
        restrict,
        _callback(callbacks),
        terminal,
    )


def train(
    corpus: Optional[Corpus] = None,
    *,
    output: Optional[PathLike] = None,
    analogies: Optional[PathLike] = None,
    similarity: Sequence[PathLike] = (),
    restrict: int = 30000,
    callbacks: Sequence[Callback] = (),
    progress: bool = False,
    **settings: Any,
) -> Model:
    """Trains word vectors and returns the :class:`Model`.

    ``corpus``: a path, a list of paths or folders (gzip, bzip2, xz and zstd files are read as
    they are), or an iterable of token lists as gensim takes (written to a temporary file as it
    is read, never held whole); ``None`` trains on the embedded synthetic corpus. ``output``: the
    vectors file, beside which the run writes its vocabulary, config, ``metrics.jsonl`` and
    checkpoints (without it the run trains into memory and writes nothing). ``analogies`` and
    ``similarity``: benchmark files scored at the end (and during the run with
    ``eval_every``). ``callbacks``: each called with every record of the run (a dict: ``event``
    is ``start``, ``interval`` — the true mean loss, ``words``, ``words_per_second``, ``lr`` —,
    ``epoch``, ``eval`` with ``figures``, or ``end``); one that returns ``False`` stops the run
    (after a checkpoint, when it writes files) and :class:`Stopped` is raised. Ctrl-C does the
    same and raises ``KeyboardInterrupt``; :func:`resume` goes on. ``progress``: a progress bar
    on standard error in a terminal, tqdm's (or a line per epoch) in a notebook.

    Every other keyword is a setting of ``wordvec train`` with the same name and meaning
    (``--max-vocab`` is ``max_vocab``); those left out take the library's defaults for the
    model, optimizer and backend chosen. A bad setting raises ``ValueError`` naming it.
    """
    with tempfile.TemporaryDirectory(prefix="wordvec-") as scratch:
        if corpus is None:
            paths: list[str] = []
        elif _is_path(corpus):
            paths = [os.fspath(corpus)]  # type: ignore[arg-type]
        else:
            items = list(corpus) if isinstance(corpus, (list, tuple)) else None
            if items is not None and items and all(_is_path(i) for i in items):
                paths = [os.fspath(i) for i in items]
            else:
                paths = [_spool(items if items is not None else corpus, scratch)]  # type: ignore[arg-type]
        for path in paths:
            if path != "-" and not os.path.exists(path):
                raise FileNotFoundError(f"{path}: no such file or folder")
        return _train(
            paths,
            os.fspath(output) if output is not None else None,
            *_run_arguments(settings, analogies, similarity, restrict, callbacks, progress),
        )


def resume(
    run_dir: PathLike,
    *,
    analogies: Optional[PathLike] = None,
    similarity: Sequence[PathLike] = (),
    restrict: int = 30000,
    callbacks: Sequence[Callback] = (),
    progress: bool = False,
    **settings: Any,
) -> Model:
    """Continues the stopped run in ``run_dir`` from its checkpoint, with its own settings, to
    the end; returns the :class:`Model`. It takes anew the settings that change how the run is
    carried out or watched, not what it computes: ``threads``, ``eval_every``,
    ``checkpoint_every``, and ``analogies`` and ``similarity``, which replace the run's
    benchmarks; any other setting raises ``ValueError`` naming it."""
    return _resume(
        os.fspath(run_dir),
        *_run_arguments(settings, analogies, similarity, restrict, callbacks, progress),
    )


def load(path: PathLike, mmap: bool = False) -> Model:
    """Reads vectors in any format ``wordvec eval`` reads (word2vec text or binary, fastText
    ``.vec``, GloVe text, a fastText ``.bin`` model; the format is read from the content). With
    ``mmap``, a word2vec binary file stays on disk, mapped into memory (other formats are
    refused with the reason)."""
    return _load(os.fspath(path), mmap)


train.__doc__ = (train.__doc__ or "") + "\n    Settings:\n\n" + "\n".join(
    "    " + line for line in _settings_help().splitlines()
)
