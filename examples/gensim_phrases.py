#!/usr/bin/env python3
"""gensim 4.4.0's Phrases on a corpus, as `wordvec phrases` learns a table: one pass over
LineSentence (whole lines), the same scoring, threshold, min_count and connector words.

usage: gensim_phrases.py CORPUS OUT.tsv SCORING THRESHOLD MIN_COUNT CONNECTORS(english|none)

Writes `phrase<TAB>score` lines (tokens joined by `_`) and prints one JSON line with the entries
counted and the seconds spent learning and exporting.
"""
import json
import sys
import time

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from gensim.models.word2vec import LineSentence

corpus, out, scoring, threshold, min_count, connectors = sys.argv[1:7]
words = ENGLISH_CONNECTOR_WORDS if connectors == "english" else frozenset()
started = time.time()
model = Phrases(
    LineSentence(corpus, max_sentence_length=10**9),
    min_count=int(min_count),
    threshold=float(threshold),
    scoring=scoring,
    connector_words=words,
)
learned = time.time()
phrases = model.export_phrases()
with open(out, "w") as f:
    for phrase, score in phrases.items():
        f.write(f"{phrase}\t{score!r}\n")
print(json.dumps({"entries": len(model.vocab), "words": model.corpus_word_count,
                  "learn_s": learned - started, "export_s": time.time() - learned}))
