#!/usr/bin/env python3
"""gensim 4.4.0 Word2Vec with word2vec's settings, as ../shared/tools/gensim_train.py trains it,
plus the two choices a fair comparison needs: the seed, and how gensim reads the corpus.

usage: gensim_peer.py sg|cbow CORPUS OUT.txt EPOCHS THREADS [--seed S] [--input corpus-file|iterable]
                     [--hs]

--hs: hierarchical softmax instead of negative sampling (hs=1, negative=0).

--input corpus-file (the shared tool's way, gensim's fastest): each worker reads its own part of
the file and decays alpha by its own progress through that part, so with W workers every epoch
ends at the rate the run-wide schedule reaches only 1/W of the way through the next one.
--input iterable (gensim's documented default, LineSentence): one producer hands out jobs and
alpha decays with the progress of the whole run, as in word2vec.c and wordvec.
Writes word2vec text format and prints one JSON line with the phase times.
"""
import argparse
import json
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence

parser = argparse.ArgumentParser()
parser.add_argument("mode", choices=["sg", "cbow"])
parser.add_argument("corpus")
parser.add_argument("out")
parser.add_argument("epochs", type=int)
parser.add_argument("threads", type=int)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--input", choices=["corpus-file", "iterable"], default="corpus-file")
parser.add_argument("--hs", action="store_true")
args = parser.parse_args()

sg = 1 if args.mode == "sg" else 0
alpha = 0.025 if sg else 0.05  # word2vec's defaults (gensim's own default is 0.025 for both)
t0 = time.time()
m = Word2Vec(vector_size=100, window=5, negative=0 if args.hs else 5, hs=1 if args.hs else 0, sample=1e-3, min_count=5, sg=sg,
             alpha=alpha, min_alpha=alpha * 1e-4, workers=args.threads, epochs=args.epochs,
             seed=args.seed)
if args.input == "corpus-file":
    m.build_vocab(corpus_file=args.corpus)
    t1 = time.time()
    m.train(corpus_file=args.corpus, total_words=m.corpus_total_words,
            total_examples=m.corpus_count, epochs=args.epochs)
else:
    sentences = LineSentence(args.corpus)
    m.build_vocab(sentences)
    t1 = time.time()
    m.train(sentences, total_examples=m.corpus_count, epochs=args.epochs)
t2 = time.time()
m.wv.save_word2vec_format(args.out, binary=False)
print(json.dumps({"input": args.input, "hs": args.hs, "seed": args.seed, "vocab_s": round(t1 - t0, 1),
                  "train_s": round(t2 - t1, 1), "words": m.corpus_total_words,
                  "epochs": args.epochs, "vocab": len(m.wv),
                  "train_words_per_s": round(m.corpus_total_words * args.epochs / (t2 - t1))}))
