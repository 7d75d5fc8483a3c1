"""A notebook-sized tour: train on the embedded corpus, watch the loss, query, evaluate, hand the
vectors to NumPy and gensim; then the same on the Wikipedia sample beside this repository, when it
is there.

    pip install ./python && python python/examples/quickstart.py [DATA_DIR]
"""

import sys
from pathlib import Path

import wordvec


def report_epochs(record: dict) -> None:
    if record["event"] == "epoch":
        print(f"  epoch {record['epoch'] + 1}: mean loss {record['loss']:.4f}")


print("The embedded corpus (a small planted language):")
model = wordvec.train(epochs=5, callbacks=[report_epochs])
word = model.words[50]
print(f"  {model}; nearest to {word!r}: {model.most_similar(word, topn=3)}")
print(f"  vectors: {model.vectors.shape} {model.vectors.dtype} (a view, no copy)")

data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared/data"
corpus, questions = data / "corpus/enwiki-1m.txt", data / "eval/questions-words.txt"
if not corpus.exists():
    sys.exit(f"{corpus} is absent: pass the data folder as the first argument")

print(f"\n{corpus.name}, skip-gram, 5 epochs:")
model = wordvec.train(corpus, epochs=5, callbacks=[report_epochs], output="runs/quickstart/vectors.bin")
print("  king - man + woman:", model.most_similar(["king", "woman"], negative="man", topn=3))
report = model.evaluate(analogies=questions, similarity=data / "eval/wordsim353.tsv")
print(f"  analogy {100 * report['analogy']['accuracy_3cosadd']:.2f}%, "
      f"WS-353 rho {report['similarity'][0]['spearman']:.3f}")
try:
    kv = model.to_gensim()
    print("  gensim agrees:", kv.most_similar("paris", topn=3))
except ImportError:
    print("  (pip install gensim to hand the vectors over)")
