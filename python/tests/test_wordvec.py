"""The Python package against the library it wraps: same vectors as the command line, callbacks
that see the true loss and can stop a run, Ctrl-C leaving a checkpoint that `resume` finishes,
every bad argument as the right exception, NumPy and gensim hand-offs, and the type stubs."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import wordvec

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"


def zipf_corpus(path: Path, sentences: int, seed: int = 7) -> Path:
    """A corpus of `sentences` lines over 2,000 words drawn by a Zipf law, with some structure
    (each line mostly from one of 20 topics) so that training has something to learn."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(2000)]
    weights = [1.0 / (i + 1) for i in range(2000)]
    topics = [rng.sample(words[:400], 40) for _ in range(20)]
    with open(path, "w", encoding="utf-8") as out:
        for _ in range(sentences):
            topic = rng.choice(topics)
            line = [
                rng.choice(topic) if rng.random() < 0.5 else rng.choices(words, weights)[0]
                for _ in range(rng.randint(5, 20))
            ]
            out.write(" ".join(line) + "\n")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return zipf_corpus(tmp_path_factory.mktemp("corpus") / "zipf.txt", 4000)


def cli_binary() -> Path | None:
    """The `wordvec` binary `cargo build --release` made, where this checkout builds it."""
    target = os.environ.get("CARGO_TARGET_DIR", str(REPO / "target"))
    path = Path(target) / "release" / "wordvec"
    return path if path.exists() else None


def test_the_embedded_corpus_trains_with_the_librarys_defaults() -> None:
    model = wordvec.train(threads=1, epochs=1)
    assert len(model) == len(model.words) > 100
    assert model.vectors.shape == (len(model), 100)
    assert model.vectors.dtype == np.float32
    config = model.config
    assert config is not None
    assert (config["dim"], config["window"], config["lr"]) == (100, 5, 0.025)
    # GloVe's own defaults come from the library too.
    glove = wordvec.train(model="glove", threads=1, epochs=1, min_count=1)
    glove_config = glove.config
    assert glove_config is not None
    assert (glove_config["window"], glove_config["optimizer"]) == (10, "adagrad")


def test_one_thread_gives_the_command_lines_vectors_bit_for_bit(
    corpus: Path, tmp_path: Path
) -> None:
    binary = cli_binary()
    if binary is None:
        pytest.skip("no release build of the `wordvec` binary (run `cargo build --release`)")
    settings = ["--threads", "1", "--epochs", "2", "--seed", "5", "--min-count", "2", "--dim", "32"]
    cli = tmp_path / "cli" / "vectors.txt"
    subprocess.run(
        [str(binary), "train", "--corpus", str(corpus), "--output", str(cli), "--quiet", *settings],
        check=True,
    )
    python = tmp_path / "py" / "vectors.txt"
    model = wordvec.train(corpus, output=python, threads=1, epochs=2, seed=5, min_count=2, dim=32)
    assert python.read_bytes() == cli.read_bytes()
    assert model.run_dir == python.parent
    loaded = wordvec.load(cli)
    assert loaded.words == model.words
    assert np.array_equal(loaded.vectors, model.vectors)


def test_token_lists_train_as_the_file_they_come_from(corpus: Path) -> None:
    settings = dict(threads=1, epochs=1, seed=3, min_count=2, dim=24)
    from_file = wordvec.train(corpus, **settings)
    with open(corpus, encoding="utf-8") as f:
        sentences = (line.split() for line in f)  # a generator: streamed, not held whole
        from_lists = wordvec.train(sentences, **settings)
    assert from_lists.words == from_file.words
    assert np.array_equal(from_lists.vectors, from_file.vectors)


def test_callbacks_see_the_loss_fall_and_can_stop_a_run(corpus: Path, tmp_path: Path) -> None:
    records: list[dict] = []
    wordvec.train(
        corpus, callbacks=[records.append], threads=1, epochs=4, min_count=2, dim=32,
        chunk_tokens=20000,
    )
    events = [r["event"] for r in records]
    assert events[0] == "start" and events[-1] == "end"
    epochs = [r["loss"] for r in records if r["event"] == "epoch"]
    assert len(epochs) == 4 and epochs[-1] < epochs[0]
    interval = next(r for r in records if r["event"] == "interval")
    assert {"loss", "words", "words_per_second", "lr"} <= interval.keys()

    seen: list[dict] = []

    def stop_after_first_epoch(record: dict) -> bool:
        seen.append(record)
        return record["event"] != "epoch"

    output = tmp_path / "stopped" / "vectors.txt"
    with pytest.raises(wordvec.Stopped, match="checkpoint"):
        wordvec.train(
            corpus, output=output, callbacks=[stop_after_first_epoch], threads=1, epochs=4,
            min_count=2, chunk_tokens=20000,
        )
    assert (output.parent / "checkpoint.wvck").exists()
    assert sum(r["event"] == "epoch" for r in seen) == 1
    # A resumed run goes on as it started: it takes only what watches it.
    with pytest.raises(ValueError, match="--lr cannot change on --resume"):
        wordvec.resume(output.parent, lr=0.5)
    finished = wordvec.resume(output.parent, threads=1, checkpoint_every="1h")
    assert output.exists() and len(finished) > 0


def test_a_callback_that_raises_stops_the_run_with_its_exception(corpus: Path) -> None:
    def fail(record: dict) -> None:
        if record["event"] == "interval":
            raise RuntimeError("callback failed on purpose")

    with pytest.raises(RuntimeError, match="on purpose"):
        wordvec.train(corpus, callbacks=[fail], threads=1, epochs=2, min_count=2, chunk_tokens=20000)


def test_ctrl_c_leaves_a_checkpoint_that_resume_finishes_bit_for_bit(
    corpus: Path, tmp_path: Path
) -> None:
    settings = dict(threads=1, epochs=6, seed=9, min_count=2, dim=32, chunk_tokens=20000)
    whole = wordvec.train(corpus, output=tmp_path / "whole" / "vectors.txt", **settings)

    started = threading.Event()

    def on_record(record: dict) -> None:
        if record["event"] == "interval":
            started.set()

    def interrupt() -> None:
        started.wait(60)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    output = tmp_path / "cut" / "vectors.txt"
    with pytest.raises(KeyboardInterrupt, match="checkpoint"):
        wordvec.train(corpus, output=output, callbacks=[on_record], **settings)
    assert (output.parent / "checkpoint.wvck").exists()
    assert not output.exists()
    resumed = wordvec.resume(output.parent)
    assert resumed.words == whole.words
    assert np.array_equal(resumed.vectors, whole.vectors)


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        (dict(foo_bar=1), ValueError, "foo_bar"),
        (dict(epochs=0), ValueError, "epochs"),
        (dict(dim="wide"), ValueError, "dim"),
        (dict(optimizer="newton"), ValueError, "optimizer"),
        (dict(lr=-1.0), ValueError, "lr"),
        (dict(corpus="/no/such/corpus.txt"), FileNotFoundError, "/no/such/corpus.txt"),
        (dict(analogies="/no/such/questions.txt"), FileNotFoundError, "questions.txt"),
        (dict(corpus=[["a", "b c"]]), ValueError, "whitespace"),
        (dict(corpus=[["a", 3]]), TypeError, "token 3"),
        (dict(callbacks=[42]), TypeError, "callable"),
    ],
)
def test_bad_arguments_raise_the_right_exception(
    arguments: dict, error: type[Exception], message: str, corpus: Path
) -> None:
    # A real corpus: the embedded one brings its own questions.
    arguments.setdefault("corpus", corpus)
    arguments.setdefault("threads", 1)
    arguments.setdefault("epochs", 1)
    with pytest.raises(error, match=message):
        wordvec.train(**arguments)


def test_queries_match_gensims_on_the_same_vectors(corpus: Path, tmp_path: Path) -> None:
    model = wordvec.train(corpus, threads=1, epochs=2, min_count=2, dim=32)
    word = model.words[10]
    assert word in model and "nonword" not in model
    assert np.array_equal(model.vector(word), model.vectors[model.index(word)])
    with pytest.raises(KeyError):
        model.index("nonword")
    with pytest.raises(KeyError, match="nonword"):
        model.most_similar("nonword")
    # The matrix is the model's own memory, read-only.
    with pytest.raises(ValueError):
        model.vectors[0, 0] = 1.0
    ours = model.most_similar(word, topn=5)
    assert len(ours) == 5 and word not in [w for w, _ in ours]
    assert model.most_similar([word], negative=model.words[11], topn=3)
    a, b, c = model.words[20:23]
    assert model.analogy(a, b, c, topn=2) == model.most_similar([b, c], [a], topn=2)
    assert -1.0 <= model.similarity(a, b) <= 1.0
    assert model.doesnt_match([a, b, c]) in (a, b, c)
    gensim = pytest.importorskip("gensim")
    assert gensim is not None
    kv = model.to_gensim()
    assert len(kv) == len(model)
    theirs = kv.most_similar(word, topn=5)
    assert [w for w, _ in theirs] == [w for w, _ in ours]
    assert np.allclose([s for _, s in theirs], [s for _, s in ours], atol=1e-5)
    # Saved in each format and read back.
    for name, fmt in [("v.bin", None), ("v.txt", "word2vec-text"), ("v.glove", "glove-text")]:
        model.save(tmp_path / name, format=fmt)
        back = wordvec.load(tmp_path / name)
        assert back.words == model.words
        assert np.allclose(back.vectors, model.vectors, atol=1e-5)
    mapped = wordvec.load(tmp_path / "v.bin", mmap=True)
    assert mapped.most_similar(word, topn=5) == ours
    with pytest.raises(ValueError, match="format"):
        model.save(tmp_path / "v.x", format="pickle")


def test_subword_models_answer_unseen_words(corpus: Path, tmp_path: Path) -> None:
    output = tmp_path / "sub" / "vectors.vec"
    model = wordvec.train(
        corpus, output=output, threads=1, epochs=1, min_count=2, dim=16,
        subwords=True, bucket=5000,
    )
    unseen = model.words[0] + "qx"
    assert unseen not in model
    vector = model.vector(unseen)
    assert vector.shape == (16,) and np.any(vector != 0)
    assert len(model.most_similar(unseen, topn=3)) == 3
    # The run's fastText model loads with the same words, vectors and unseen words.
    loaded = wordvec.load(output.with_suffix(".bin"))
    assert loaded.words == model.words
    assert np.allclose(loaded.vectors, model.vectors, atol=1e-6)
    assert np.allclose(loaded.vector(unseen), vector, atol=1e-6)
    with pytest.raises(KeyError, match=unseen):
        wordvec.load(output).vector(unseen)


def test_evaluation_and_metrics(tmp_path: Path) -> None:
    eval_dir = DATA / "eval"
    if not eval_dir.exists():
        pytest.skip(f"{eval_dir} is absent")
    output = tmp_path / "run" / "vectors.bin"
    model = wordvec.train(
        output=output, threads=2, epochs=2, eval_every="epoch",
        analogies=eval_dir / "questions-words.txt",
    )
    report = model.evaluate(
        analogies=eval_dir / "questions-words.txt", similarity=eval_dir / "wordsim353.tsv"
    )
    assert {"analogy", "similarity"} <= report.keys()
    assert 0.0 <= report["analogy"]["accuracy_3cosadd"] <= 1.0
    events = [r["event"] for r in model.metrics]
    assert events[0] == "start" and "eval" in events and events[-1] == "end"


def test_progress_off_a_terminal_prints_each_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    wordvec.train(threads=1, epochs=2, progress=True)
    err = capsys.readouterr().err
    # tqdm's bar shows the interval loss, the fallback a line per epoch with its mean loss.
    assert "loss" in err, err


def test_help_lists_every_setting_with_its_defaults() -> None:
    doc = wordvec.train.__doc__ or ""
    for flag in ["--optimizer", "--max-vocab", "--x-max", "--eval-every"]:
        assert flag in doc
    assert "[default: 0.025; cbow: 0.05" in doc


def test_the_type_stubs_check(tmp_path: Path) -> None:
    if shutil.which("mypy") is None and not _has_module("mypy"):
        pytest.skip("mypy is not installed (pip install mypy)")
    usage = tmp_path / "usage.py"
    usage.write_text(
        "import numpy as np\n"
        "import numpy.typing as npt\n"
        "import wordvec\n"
        "m: wordvec.Model = wordvec.train(threads=1, epochs=1)\n"
        "v: npt.NDArray[np.float32] = m.vectors\n"
        "best: list[tuple[str, float]] = m.most_similar('a', topn=3)\n"
        "s: float = m.similarity('a', 'b')\n"
        "r: dict[str, object] = m.evaluate(similarity=['x.tsv'])\n"
        "def stop(record: dict[str, object]) -> bool:\n"
        "    return record['event'] != 'epoch'\n"
        "wordvec.train('c.txt', callbacks=[stop], lr=0.05)\n"
    )
    # The package's source against its stubs, and a user's code against the installed package.
    source = REPO / "python" / "py_src" / "wordvec"
    for target in [str(source), str(usage)]:
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports", target],
            capture_output=True, text=True, cwd=tmp_path,
        )
        assert result.returncode == 0, target + ": " + result.stdout + result.stderr


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
