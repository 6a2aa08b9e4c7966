"""Alignment measured against the hand labels (mappings/alignment_labels.csv)."""

import json

import pytest
from click.testing import CliRunner

from kg.align import align_corpus
from kg.align.evaluate import COLUMNS, Metrics, evaluate
from kg.cli import main
from kg.core.errors import MappingError
from kg.corpus import load_registry

from .conftest import DATA

PAIR = ("shangrao-2022-green-economy", "jiangxi-2021-green-economy")


def run_evaluation(*args):
    r = CliRunner().invoke(main, ["--data", str(DATA), "align", "--evaluate", "--format", "jsonl", *args])
    assert r.exit_code == 0, r.output
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["source_doc"], x["target_doc"]) for x in recs] == [PAIR]
    rec = recs[0]
    print(
        f"\n{' '.join(args) or 'with overrides'}: "
        f"top1 P/R/acc {rec['top1_precision']}/{rec['top1_recall']}/{rec['top1_accuracy']}, "
        f"aligned P/R/acc {rec['aligned_precision']}/{rec['aligned_recall']}/{rec['aligned_accuracy']}, "
        f"errors {rec['errors']}"
    )
    return rec


def test_tool_alone_finds_the_labelled_parent_and_never_asserts_a_wrong_link():
    rec = run_evaluation("--no-overrides")
    assert rec["measures"] == 23 and rec["top1_labelled"] == 21
    assert rec["top1_accuracy"] >= 0.9
    assert rec["aligned_precision"] == 1.0 and rec["aligned_predicted"] >= 12


def test_curated_overrides_make_every_top1_link_right():
    rec = run_evaluation()
    assert (rec["top1_precision"], rec["top1_recall"], rec["top1_accuracy"]) == (1.0, 1.0, 1.0)
    assert rec["errors"] == [] and rec["aligned_precision"] == 1.0


def test_metrics_of_hand_made_predictions():
    # (predicted, label): right, wrong parent, missed, both "no parent", spurious
    m = Metrics.of([("1", "1"), ("2", "3"), (None, "4"), (None, None), ("5", None)])
    assert (m.correct, m.predicted, m.labelled) == (1, 3, 3)
    assert (m.precision, m.recall, m.accuracy) == (0.333, 0.333, 0.4)


def test_metrics_count_agreeing_no_parent_for_accuracy_only():
    m = Metrics.of([(None, None), (None, None), ("1", "1")])
    assert (m.precision, m.recall, m.accuracy) == (1.0, 1.0, 1.0)
    m = Metrics.of([(None, None), (None, "2")])
    assert (m.predicted, m.precision, m.recall, m.accuracy) == (0, 1.0, 0.0, 0.5)


@pytest.fixture(scope="module")
def alignment(corpus):
    return align_corpus((load_registry(DATA), corpus), *PAIR, overrides=False)


@pytest.mark.parametrize(
    "row, column",
    [
        ("shangrao-2022-green-economy,九十九,jiangxi-2021-green-economy,一,", "source_measure"),
        ("shangrao-2022-green-economy,二,jiangxi-2021-green-economy,九十九,", "target_measure"),
    ],
)
def test_labels_naming_a_missing_measure_are_a_one_line_error(tmp_path, alignment, row, column):
    path = tmp_path / "labels.csv"
    path.write_text(",".join(COLUMNS) + "\n# a comment line\n" + row + "\n", encoding="utf-8")
    with pytest.raises(MappingError) as e:
        evaluate(alignment, path)
    msg = str(e.value)
    assert "\n" not in msg and "九十九" in msg
    assert "labels.csv" in msg and "line 3" in msg and f'column "{column}"' in msg, msg


def test_evaluate_cli_reports_bad_labels_in_one_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(
        ",".join(COLUMNS) + "\nshangrao-2022-green-economy,九十九,jiangxi-2021-green-economy,一,\n", encoding="utf-8"
    )
    r = CliRunner().invoke(
        main,
        ["--data", str(DATA), "align", "--evaluate", "--labels", str(path), "--source", PAIR[0], "--target", PAIR[1]],
    )
    assert r.exit_code != 0
    assert r.stdout == "" and r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1, r.output
    assert "labels.csv" in r.stderr and "Traceback" not in r.output


def _write_labels(tmp_path, *rows):
    path = tmp_path / "labels.csv"
    header = "source_doc,source_measure,source_title,target_doc,target_measure,target_title,note"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_labels_with_titles_and_rows_of_another_corpus_are_read_and_skipped_with_one_note(tmp_path, alignment):
    path = _write_labels(
        tmp_path,
        "shangrao-2022-green-economy,二,推进工业绿色转型,jiangxi-2021-green-economy,一,推进工业绿色转型,",
        "中国-2021-加快建立健全绿色低碳循环发展经济体系的指导意见,四,,江西-2021-x,一,,a shared-PDF row",
        "吉林-2021-x,十,打造绿色贸易体系,江西-2021-x,八,建立绿色贸易体系,",
    )
    notes: list[str] = []
    (e,) = evaluate(alignment, path, notes)
    assert e.measures == 1 and e.top1.correct == 1
    assert len(notes) == 1 and "2 rows" in notes[0] and "labels.csv" in notes[0]


def test_an_aligned_link_to_the_wrong_parent_is_counted_as_confident_wrong(tmp_path, alignment):
    right = "shangrao-2022-green-economy,二,,jiangxi-2021-green-economy,一,,"
    wrong = "shangrao-2022-green-economy,三,,jiangxi-2021-green-economy,一,,deliberately wrong"
    (e,) = evaluate(alignment, _write_labels(tmp_path, right, wrong))
    assert e.confident_wrong == 1 and e.top1.correct == 1
    (e,) = evaluate(alignment, _write_labels(tmp_path, right))
    assert e.confident_wrong == 0


def test_evaluate_cli_prints_confident_wrong_and_the_note_on_skipped_rows(tmp_path):
    path = _write_labels(
        tmp_path, "shangrao-2022-green-economy,二,,jiangxi-2021-green-economy,一,,", "吉林-2021-x,十,,江西-2021-x,八,,"
    )
    r = CliRunner().invoke(
        main,
        [
            "--data",
            str(DATA),
            "align",
            "--evaluate",
            "--no-overrides",
            "--labels",
            str(path),
            "--format",
            "jsonl",
            "--source",
            PAIR[0],
            "--target",
            PAIR[1],
        ],
    )
    assert r.exit_code == 0, r.output
    (rec,) = [json.loads(line) for line in r.stdout.splitlines()]
    assert rec["confident_wrong"] == 0 and rec["top1_correct"] == 1
    assert r.stderr.count("not in this corpus") == 1
