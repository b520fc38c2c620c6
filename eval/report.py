"""The evaluation report: report.json (every figure, the settings, the versions), report.md
(readable tables, models side by side) and report.png (the main figures as bars)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from data.common import provenance, write_atomic

# The headline figures, in table order, with their labels.
MAIN = [
    ("accuracy", "accuracy (all rows)"),
    ("parse_rate", "parse rate"),
    ("name_accuracy", "function-name accuracy"),
    ("exact_accuracy", "exact-call accuracy"),
    ("arg_precision", "argument precision"),
    ("arg_recall", "argument recall"),
    ("schema_validity", "schema validity"),
    ("call_precision", "call precision"),
    ("call_recall", "call recall"),
    ("no_call_accuracy", "no-call accuracy"),
    ("invented_rate", "invented-function rate"),
    ("extra_text_rate", "extra-text rate"),
    ("asked_for_missing_rate", "asked-for-missing-value rate"),
]
CHART = ["accuracy", "parse_rate", "name_accuracy", "exact_accuracy", "schema_validity", "no_call_accuracy"]


def write_report(out: Path, settings: dict, placement: dict, results: dict) -> dict:
    """`settings`: what decided the figures (eval.run.identity); `placement`: where the model ran and
    in which dtype (data.models.placement), which settings such as `--dtype auto` leave open."""
    report = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": settings,
        **placement,
        **provenance(),
        "models": results,
    }
    write_atomic(out / "report.json", json.dumps(report, indent=2) + "\n")
    write_atomic(out / "report.md", markdown(report))
    if any("calls" in figures for figures in results.values()):
        chart(out / "report.png", report)
    return report


def _cell(value) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]


def markdown(report: dict) -> str:
    s, models = report["settings"], report["models"]
    names = list(models)
    what = s["model"] + (f" + adapter {s['adapter']}" if s["adapter"] else "")
    split = "" if s["data"].startswith("bfcl:") else f" ({s['split']} split)"
    rows = "all rows" if s["max_samples"] is None else f"a sample of {s['max_samples']} (seed {s['seed']})"
    lines = [
        f"# Evaluation: {what}",
        "",
        f"Data `{s['data']}`{split}, {s['family']} format, {rows}; greedy, up to {s['max_new_tokens']} new tokens; "
        f"{report['device']}, {report['dtype']}.",
        "",
    ]
    first = models[names[0]]
    if "calls" in first:
        lines += [
            f"Rows: {first['calls']['n']} ({first['calls']['n_call']} expect a call, "
            f"{first['calls']['n_text']} a text answer).",
            "",
        ]
        lines += _table(["figure", *names], [[label, *(models[m]["calls"][key] for m in names)] for key, label in MAIN])
    lines += ["", "Completion-only loss (training masking):", ""]
    lines += _table(
        ["", *names], [[k, *(models[m]["loss"][k] for m in names)] for k in ("loss", "perplexity", "tokens")]
    )
    if "calls" in first and "by_seen" in first["calls"]:
        lines += ["", "Seen versus unseen functions (exact-call accuracy / accuracy):", ""]
        groups = list(first["calls"]["by_seen"])
        lines += _table(
            ["", *[f"{m} {g}" for m in names for g in groups]],
            [
                [key, *(models[m]["calls"]["by_seen"][g][key] for m in names for g in groups)]
                for key in ("n", "exact_accuracy", "accuracy", "no_call_accuracy")
            ],
        )
    if "bfcl" in first:
        cats = list(first["bfcl"]["per_category"])
        lines += ["", "BFCL (AST rules), accuracy per category:", ""]
        lines += _table(
            ["category", "n", *names],
            [
                [
                    c,
                    first["bfcl"]["per_category"][c]["n"],
                    *(models[m]["bfcl"]["per_category"][c]["accuracy"] for m in names),
                ]
                for c in cats
            ]
            + [["unweighted mean", "", *(models[m]["bfcl"]["unweighted_mean"] for m in names)]],
        )
    if "calls" in first:
        lines += ["", "By argument count (exact-call accuracy):", ""]
        counts = list(first["calls"]["by_arg_count"])
        lines += _table(
            ["arguments", "n", *names],
            [
                [
                    c,
                    first["calls"]["by_arg_count"][c]["n"],
                    *(
                        models[m]["calls"]["by_arg_count"][c]["exact_accuracy"]
                        if c != "(none)"
                        else models[m]["calls"]["by_arg_count"][c]["no_call_accuracy"]
                        for m in names
                    ),
                ]
                for c in counts
            ],
        )
        lines += [
            "",
            "(for `(none)`, rows expecting a text answer: no-call accuracy); per-function figures are in report.json.",
        ]
    return "\n".join(lines) + "\n"


def chart(path: Path, report: dict) -> None:
    """The main figures as bars, each labelled with its value; the title names the run, the data and n."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    s, models = report["settings"], report["models"]
    names = [m for m in models if "calls" in models[m]]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / max(1, len(names))
    for j, name in enumerate(names):
        values = [models[name]["calls"][k] for k in CHART]
        bars = ax.bar([i + j * width for i in range(len(CHART))], [v or 0.0 for v in values], width, label=name)
        ax.bar_label(bars, labels=["–" if v is None else f"{v:.2f}" for v in values], fontsize=7, padding=2)
    run = s["adapter"] or s["model"]
    n = models[names[0]]["calls"]["n"]
    title = f"{run} on {s['data']}" + ("" if s["data"].startswith("bfcl:") else f" ({s['split']})") + f", n={n}"
    if "bfcl" in models[names[0]]:
        title += "\nBFCL unweighted mean: " + ", ".join(
            f"{m} {models[m]['bfcl']['unweighted_mean']:.3f}" for m in names
        )
    ax.set_title(title, fontsize=9)
    ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(CHART))])
    ax.set_xticklabels([k.replace("_", "\n") for k in CHART], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("share")
    ax.legend()
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
    tmp.replace(path)


def flat_summary(report: dict) -> dict:
    """`model/figure` -> value, for wandb's run summary."""
    out = {}
    for name, figures in report["models"].items():
        out[f"{name}/loss"] = figures["loss"]["loss"]
        for key, _ in MAIN:
            if "calls" in figures:
                out[f"{name}/{key}"] = figures["calls"][key]
        if "bfcl" in figures:
            out[f"{name}/bfcl_unweighted_mean"] = figures["bfcl"]["unweighted_mean"]
            for cat, v in figures["bfcl"]["per_category"].items():
                out[f"{name}/bfcl/{cat}"] = v["accuracy"]
    return out


def log_to_wandb(out: Path, report: dict) -> None:
    import wandb

    run = wandb.init(project="fctune", job_type="eval", config=report["settings"], name=out.name)
    run.summary.update(flat_summary(report))
    if not (out / "predictions.jsonl").is_file():  # a loss-only evaluation
        run.finish()
        return
    columns = ["model", "index", "id", "verdict", "reason", "output", "expected"]
    table = wandb.Table(columns=columns)
    for line in (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        table.add_data(
            row["model"],
            row["index"],
            row["id"],
            row["verdict"],
            row["reason"],
            row["output"],
            json.dumps(row["expected"], ensure_ascii=False),
        )
    run.log({"predictions": table})
    run.finish()
