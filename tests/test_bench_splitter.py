"""The splitter's model builder: the corpus split it learns from, and its pieces."""

import json

from bench.build_lexicon import fit_logistic
from bench.build_lexicon import title_edges
from bench.news_split import counted_articles
from bench.news_split import held_out_articles
from bench.news_split import training_articles
from bench.news_split import tuning_articles


def test_the_three_parts_split_the_corpus_and_hold_nothing_back_twice(tmp_path):
    corpus = tmp_path / "news.jsonl"
    ids = [f"snn-2015-07-21-{n:04d}" for n in range(200)]
    corpus.write_text(
        "".join(json.dumps({"id": i, "title": "عنوان", "text": "نص الخبر"}) + "\n" for i in ids),
        encoding="utf-8",
    )
    parts = [
        {a["id"] for a in read(corpus)}
        for read in (counted_articles, tuning_articles, held_out_articles)
    ]
    counted, tuning, held_out = parts
    assert counted | tuning | held_out == set(ids)
    assert not (counted & tuning or counted & held_out or tuning & held_out)
    assert 20 < len(held_out) < 60 and 20 < len(tuning) < 60  # about a fifth each
    assert {a["id"] for a in training_articles(corpus)} == counted | tuning


def test_title_edges_are_the_words_a_letter_starts_or_ends_the_title_with():
    assert title_edges("«الأخضر» يبدأ مشوار البطولة") == (None, "البطوله")
    assert title_edges("وزير النفط: سنبدأ التنقيب في 2015") == ("وزير", None)
    assert title_edges("\u202bارتفاع حاد في الرسوم الجمركية\u202c") == ("ارتفاع", "الجمركيه")


def test_the_regression_weighs_a_telling_feature_by_its_sign():
    data = [((1.0, x / 10), int(x > 0)) for x in range(-20, 21) for _ in range(3)]
    data += [((1.0, 0.5), 0), ((1.0, -0.5), 1)]  # noise: not separable
    bias, weight = fit_logistic(data)
    assert weight > 1 and abs(bias) < 1
