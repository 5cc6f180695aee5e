"""The statistics behind the replicated studies' verdicts (benchmarks/intervals.py) and the darcy_inverse study's
tables on synthetic results: a paired difference, the no-truth choice of a baseline's weight, incomplete instances."""

import numpy as np
import pytest
from scipy import stats

from pinnzoo.grids.darcy_inverse import DarcyInverse


@pytest.fixture
def bench(monkeypatch):
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import darcy_replicated, darcy_replicated_tables, intervals

    return darcy_replicated, darcy_replicated_tables, intervals


def test_the_interval_is_students_t_and_a_verdict_needs_it_to_exclude_zero(bench):
    _, _, iv = bench
    values = [1.0, 2.0, 4.0]
    mean, half = iv.interval(values)
    assert mean == pytest.approx(7 / 3)
    assert half == pytest.approx(stats.t.ppf(0.975, 2) * np.std(values, ddof=1) / np.sqrt(3))
    assert np.isnan(iv.interval([1.0])[1]) and iv.paired_verdict([-1.0]) == "too few"
    assert iv.paired_verdict([-1.0, -1.1, -0.9]) == "better" and iv.paired_verdict([1.0, 1.1, 0.9]) == "worse"
    assert iv.paired_verdict([-1.0, 1.0, 0.1]) == "no difference shown"
    assert iv.paired_verdict([1.0, 1.1, 0.9], lower_is_better=False) == "better"
    assert iv.ci_text([]) == "–" and iv.ci_text([0.5], signed=True, digits=3) == "+0.500"


def _fit(error: float) -> dict:
    point = {"iteration": 10, "rel_l2": error, "wrong_phase": 0.01, "misfit": 1.0}
    return {"end": point, "oracle": point, "discrepancy": point, "time_s": 1.0, "machine": "test"}


def _instance(study, noise, seed, noise_seed, generator_error):
    problem = DarcyInverse(seed=seed, noise=noise, noise_seed=noise_seed)
    entry = {"problem": problem.params}
    for part in study.parts():
        if part.startswith("baseline/"):
            # the oracle takes weight 1 (0.20); the discrepancy principle weight 10 (misfit nearest 1: 0.30)
            row = {"sweep": [{"weight": 1.0, "rel_l2": 0.20, "wrong_phase": 0.0, "misfit": 0.5},
                             {"weight": 10.0, "rel_l2": 0.30, "wrong_phase": 0.0, "misfit": 1.1}],
                   "time_s": 1.0, "machine": "test"}
        else:
            row = _fit(generator_error if part.startswith("generator/") else 0.25)
        entry[part] = {**row, "fingerprint": study.fingerprint(problem, part)}
    return study.instance_key(noise, seed, noise_seed), entry


def test_the_tables_pair_instances_and_count_only_complete_ones(bench):
    study, tables, _ = bench
    data = {"instances": dict(_instance(study, 0.01, k, 1, 0.15 + 0.01 * k) for k in range(3))}
    key, partial = _instance(study, 0.01, 3, 1, 0.1)
    partial.pop("generator/dip/2")
    data["instances"][key] = partial
    groups, begun = tables.instance_rows(data)
    assert begun == 1 and len(groups[0.01]) == 3
    first = groups[0.01][0]
    assert first["h1/oracle"][0] == 0.20 and first["tv/discrepancy"][0] == 0.30
    assert first["dip/discrepancy"][0] == pytest.approx(0.15)
    paired = tables.darcy_replicated_paired_table.__wrapped__(data)
    # Deep Decoder (0.15, 0.16, 0.17) − oracle H1 (0.20): −0.04 ± 0.025, better
    row = next(r for r in paired.splitlines() if "| Deep Decoder (discrepancy stop) | H¹ least squares (weight chosen with"
               in r)
    assert "| 3 | -0.040 ± 0.025 | better |" in row
    summary = tables.darcy_replicated_table.__wrapped__(data)
    assert "3 of 20 at 1 %" in summary and "(1 more begun)" in summary


def test_the_lessons_verdicts_follow_the_paired_intervals(bench, monkeypatch):
    """Generators consistently below the oracle-tuned baseline (0.20) carry over; the linear control (0.25) is
    worse than them; a spread that straddles the baseline gives no verdict; the end equal to the stop shows no
    need to stop; fewer than three complete instances give no replicated verdict at all."""
    study, tables, _ = bench
    import replicated_lessons as lessons

    def values(errors):
        data = {"instances": dict(_instance(study, 0.01, k, 1, e) for k, e in enumerate(errors))}
        return tables.instance_rows(data)[0][0.01]

    clear = values([0.15, 0.16, 0.17, 0.15])
    evidence, baseline, _, verdict = lessons.architecture_inverse(clear)
    assert evidence.startswith("darcy_inverse, 4 instances") and "oracle" in baseline
    assert verdict.startswith("carries over against the oracle-tuned baseline") and "Deep Decoder" in verdict
    assert "multiscale" not in verdict.split(":")[1]  # the multiscale grid (0.25 here) is not better than 0.20
    assert "Deep Decoder: better" in lessons.linear_control(clear)[3]
    assert lessons.early_stopping(clear)[3].startswith("not shown")
    assert "for 4 of 4 priors" in lessons.automatic_stopping(clear)[3]
    straddle = values([0.10, 0.30, 0.12, 0.28])
    assert lessons.architecture_inverse(straddle)[3].startswith("carries over only against the no-truth baseline")
    monkeypatch.setattr(lessons, "RESULTS", lessons.RESULTS.parent / "no-such-folder")
    assert lessons.replicated() is None


def test_the_separation_split_is_exact_for_additive_and_for_pure_interaction_tables(bench):
    """Cells μ + prior + column are explained additively with no interaction; a checkerboard (the prior helps on
    one operator and hurts equally on the other) is all interaction."""
    import factorial_tables as f

    additive = {c: {p: (1.0 + r + 2.0 * k, "") for r, p in enumerate("abc")} for k, c in enumerate("XY")}
    shares = f.additive_shares(additive)
    assert shares["interaction"] == pytest.approx(0.0, abs=1e-12) and shares["additive"] == pytest.approx(1.0)
    assert shares["cells"] == 6
    board = {"X": {"a": (1.0, ""), "b": (-1.0, "")}, "Y": {"a": (-1.0, ""), "b": (1.0, "")}}
    shares = f.additive_shares(board)
    assert shares["prior"] == pytest.approx(0.0, abs=1e-12) and shares["operator"] == pytest.approx(0.0, abs=1e-12)
    assert shares["interaction"] == pytest.approx(1.0)
    assert f.additive_shares({"X": {"a": (1.0, "")}}) is None  # fewer cells than effects


def test_a_study_runs_its_shard_up_to_the_limit_and_refuses_a_bad_shard(bench, capsys):
    from results_file import run_study

    ran = []

    def run_instance(k):
        ran.append(k)
        return k != 3  # instance 3 had nothing left to do: it does not count against the limit

    instances = [(k,) for k in range(8)]
    run_study("test", instances, run_instance, argv=["--shard", "1/2", "--limit", "2"])
    assert ran == [1, 3, 5]
    ran.clear()
    run_study("test", lambda args: instances[:args.first], run_instance, argv=["--first", "3"],
              extra=lambda parser: parser.add_argument("--first", type=int))
    assert ran == [0, 1, 2]
    with pytest.raises(SystemExit):
        run_study("test", instances, run_instance, argv=["--shard", "2/2"])
    assert "--shard must be i/n" in capsys.readouterr().err
