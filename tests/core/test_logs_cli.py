"""``python -m aggregation.cli``: generate-log writes a seeded log whose exact counts import-log reads back;
errors are the package's messages (column and row) with exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aggregation as ag
from aggregation.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_generate_then_import_gives_the_exact_counts(tmp_path, capsys):
    log, exact, out = tmp_path / "log.csv", tmp_path / "exact.parquet", tmp_path / "counts.parquet"
    assert (
        main(
            [
                "generate-log",
                str(log),
                "--rows",
                "5000",
                "--alternatives",
                "6",
                "--voters",
                "40",
                "--annotators",
                "9",
                "--seed",
                "3",
                "--counts",
                str(exact),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "import-log",
                str(log),
                "--model-a",
                "model_a",
                "--model-b",
                "model_b",
                "--winner",
                "winner",
                "--judge",
                "judge",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "5,000 comparisons" in printed and "9 annotators" in printed
    assert ag.read_counts_file(out).fingerprint == ag.read_counts_file(exact).fingerprint
    # the same seed through the Python API draws the same log
    population = ag.generate("mallows", n_voters=40, alternatives=6, phi=0.8, seed=3)
    again = ag.generate_log(population, 5000, None, tie_probability=0.1, annotators=9, seed=3)
    assert again.counts.fingerprint == ag.read_counts_file(exact).fingerprint


def test_chosen_rejected_to_a_population_file(tmp_path):
    log, out = tmp_path / "prefs.csv", tmp_path / "population.json"
    log.write_text("chosen,rejected\nx,y\nx,z\ny,z\n", encoding="utf-8")
    assert main(["import-log", str(log), "--chosen", "chosen", "--rejected", "rejected", "--out", str(out)]) == 0
    population = ag.read_population_json(out.read_text(encoding="utf-8"))
    assert population.preference_matrix().loc["x", "y"] == 1.0


def test_errors_name_the_row_and_exit_2(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("model_a,model_b,winner\nA,B,model_a\nA,B,draw\n", encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "aggregation.cli",
            "import-log",
            str(log),
            "--guess",
            "--out",
            str(tmp_path / "c.parquet"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "row 2: the column 'winner' holds 'draw'" in run.stderr
    assert not (tmp_path / "c.parquet").exists()
