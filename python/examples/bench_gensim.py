"""wordvec against gensim 4.4.0's Word2Vec in the same Python process: the same corpus, settings
and learning-rate schedule (gensim's iterable input, whose rate decays over the whole run as
word2vec's and wordvec's do), each trainer's CPU time from the process's own clock, both vector
sets scored by the same evaluator. With ``--cli BIN`` it also runs the ``wordvec`` binary, to
compare training from Python with the command line's words/s.

    pip install ./python gensim==4.4.0
    python python/examples/bench_gensim.py ../shared/data/corpus/enwiki-17m.txt --epochs 5 \
        --threads 2 [--cli target/release/wordvec] [--seeds 1,2,3]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import wordvec


def timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """Runs ``work``; returns its result, wall seconds and this process's CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def scores(vectors: Path, eval_dir: Path) -> tuple[float, float, float]:
    report = wordvec.load(vectors).evaluate(
        analogies=eval_dir / "questions-words.txt",
        similarity=[eval_dir / "wordsim353.tsv", eval_dir / "simlex999.txt"],
    )
    rho = [s["spearman"] for s in report["similarity"]]
    return 100 * report["analogy"]["accuracy_3cosadd"], rho[0], rho[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--eval-dir", type=Path, default=Path("../shared/data/eval"))
    parser.add_argument("--cli", type=Path, help="the wordvec binary, to compare words/s")
    args = parser.parse_args()
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    words = sum(len(line.split()) for line in open(args.corpus, encoding="utf-8"))
    rows = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-gensim-"))
    for seed in [int(s) for s in args.seeds.split(",")]:
        out = scratch / f"wordvec-{seed}" / "vectors.bin"
        ends: list[dict[str, Any]] = []
        _, wall, cpu = timed(
            lambda: wordvec.train(
                args.corpus, output=out, epochs=args.epochs, threads=args.threads, seed=seed,
                callbacks=[lambda r: ends.append(r) if r["event"] == "end" else None],
            )
        )
        print(f"seed {seed}: Python trained at {ends[-1]['words_per_second']:.0f} words/s")
        rows.append(("wordvec (Python)", seed, wall, cpu, scores(out, args.eval_dir)))
        gensim_out = scratch / f"gensim-{seed}.bin"

        def gensim_train() -> None:
            model = Word2Vec(
                LineSentence(str(args.corpus)), vector_size=100, window=5, min_count=5,
                sample=1e-3, sg=1, hs=0, negative=5, alpha=0.025, min_alpha=0.0001,
                epochs=args.epochs, workers=args.threads, seed=seed,
            )
            model.wv.save_word2vec_format(str(gensim_out), binary=True)

        _, wall, cpu = timed(gensim_train)
        rows.append(("gensim 4.4.0 (iterable)", seed, wall, cpu, scores(gensim_out, args.eval_dir)))
        if args.cli:
            cli_out = scratch / f"cli-{seed}" / "vectors.bin"
            command = [
                str(args.cli), "train", "--corpus", str(args.corpus), "--output", str(cli_out),
                "--epochs", str(args.epochs), "--threads", str(args.threads), "--seed", str(seed),
            ]
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            wall = time.perf_counter() - start
            rate = re.search(r"\(([0-9]+) words/s\)", done.stderr)
            print(f"seed {seed}: the CLI trained at {rate.group(1) if rate else '?'} words/s")
            rows.append(("wordvec (CLI)", seed, wall, float("nan"), scores(cli_out, args.eval_dir)))
    print(f"\n{args.corpus.name}: {words:,} words × {args.epochs} epochs, {args.threads} threads\n")
    print("| trainer | seed | wall s | CPU s | words/CPU-s | analogy | WS-353 ρ | SimLex ρ |")
    print("|---|---|---|---|---|---|---|---|")
    for name, seed, wall, cpu, (analogy, ws, sl) in rows:
        rate = words * args.epochs / cpu if cpu == cpu else float("nan")
        print(f"| {name} | {seed} | {wall:.1f} | {cpu:.1f} | {rate:,.0f} | {analogy:.2f}% | "
              f"{ws:.3f} | {sl:.3f} |")
    ours = [r for r in rows if r[0] == "wordvec (Python)"]
    theirs = [r for r in rows if r[0].startswith("gensim")]
    ratio = sum(t[3] for t in theirs) / sum(o[3] for o in ours)
    print(f"\nwordvec's words per CPU-second: {ratio:.2f}× gensim's (means over the seeds)")


if __name__ == "__main__":
    main()
