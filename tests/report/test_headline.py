"""The headline figures, the palette, the LaTeX tables and the figure-size limit, on the demo-sized
synthetic report (``demo_report``: 122 records with matched controls)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from PIL import Image

from bench.report.figures.headline import cost_points, pareto_front
from bench.report.figures.style import CLASSICAL_COLOR, MAX_WIDTH_PX, Palette, palette_for
from bench.report.frame import records_frame
from bench.report.render.latex import booktabs_table, latex_escape


def test_pareto_front():
    cost = np.array([1.0, 2.0, 3.0, 4.0, 2.0, math.nan])
    acc = np.array([0.5, 0.4, 0.7, 0.7, 0.6, 0.99])
    # 2.0/0.4 is beaten by 2.0/0.6; 4.0/0.7 by the cheaper 3.0/0.7; NaN never belongs
    assert pareto_front(cost, acc) == [0, 4, 2]
    assert pareto_front(np.array([]), np.array([])) == []


def test_palette_one_colour_per_head_and_controls_in_their_treatments_hue(demo_records):
    palette = palette_for(demo_records)
    heads = {r.head for r in demo_records if not r.control}
    assert palette.color("classical") == CLASSICAL_COLOR
    colours = {palette.color(h) for h in heads}
    assert len(colours) == len(heads)  # distinct
    assert Palette.for_heads(sorted(heads, reverse=True)).colors == palette.colors  # order-independent
    for subset in (["quantum"], ["hybrid-fixed", "quantum"], ["quantum", "dual-branch", "hybrid-gated"]):
        assert Palette.for_heads(subset).color("quantum") == palette.color("quantum")  # in every report
    custom = Palette.for_heads(["quantum+a", "quantum+b", "quantum"])
    assert len({custom.color(h) for h in ("quantum+a", "quantum+b", "quantum")}) == 3
    assert Palette.for_heads(["quantum+a"]).color("quantum+a") == custom.color("quantum+a")
    style = palette.style("quantum~matched-mlp", "matched-mlp", "quantum")
    assert style["color"] == palette.color("quantum") and style["linestyle"] == "--"
    assert (
        palette.style("quantum")["linestyle"] == "-" and style["marker"] != palette.style("quantum")["marker"]
    )


def test_cost_points_one_per_configuration(demo_records):
    pts = cost_points(records_frame(demo_records))
    # classical ×2 qubit counts, 3 heads × 2 qubits × 2 layers (exact backends: one each? no, see below)
    configs = {(r.head, r.n_qubits, r.n_layers) for r in demo_records if r.status == "ok"}
    assert len(pts) == len(configs) == 2 + 12 + 14
    quantum = pts[(pts["head"] == "quantum") & (pts["n_qubits"] == 8) & (pts["n_layers"] == 2)].iloc[0]
    assert quantum["train_s"] > 0 and quantum["params"] == 83 + 48 and quantum["n_seeds"] == 3
    control = pts[pts["head"] == "quantum~matched-mlp"].iloc[0]
    assert control["control"] == "matched-mlp" and control["treatment"] == "quantum"


def test_demo_report_headline_first_and_files(demo_report):
    out = demo_report["md"].parent
    md = demo_report["md"].read_text()
    html = demo_report["html"].read_text()
    verdict = md.index("## Verdict")
    assert verdict < md.index("](figures/forest.png)") < md.index("| dataset | configuration (best on val)")
    assert md.index("### Cost vs accuracy") < md.index("## Run summary")
    assert (
        html.index('id="verdict"')
        < html.index('alt="Δ test accuracy of every configuration')
        < html.index("configuration (best on val)")
    )
    for name in ("forest", "cost_accuracy", "accuracy_vs_qubits", "controls_vs_qubits", "confusion_matrices"):
        assert (out / "figures" / f"{name}.png").is_file() and (out / "figures" / f"{name}.svg").is_file()
    for png in (out / "figures").glob("*.png"):
        with Image.open(png) as im:
            assert im.width <= MAX_WIDTH_PX <= 3000, (png.name, im.size)
    for name in ("verdict", "accuracy", "comparisons"):
        tex = (out / "tables" / f"{name}.tex").read_text()
        assert "\\toprule" in tex and "\\bottomrule" in tex and "\\midrule" in tex
        n_cols = len(re.search(r"\\begin\{tabular\}\{([lr]+)\}", tex).group(1))
        rows = [line for line in tex.splitlines() if line.endswith("\\\\")]
        assert len(rows) > 1 and all(len(re.findall(r"(?<!\\)&", row)) == n_cols - 1 for row in rows)
        assert not re.search(r"(?<!\\)[%_#]", tex.split("\n", 1)[1])  # only the comment line has a bare %


def test_latex_escaping_and_grouping():
    assert latex_escape("a_b & 50% ± −1 → β {x} ~ ^ \\ <0.001") == (
        "a\\_b \\& 50\\% $\\pm$ $-$1 $\\rightarrow$ $\\beta$ \\{x\\} \\textasciitilde{} "
        "\\textasciicircum{} \\textbackslash{} \\textless{}0.001"
    )
    df = pd.DataFrame({"dataset": ["a", "a", "b"], "acc": ["1.0", "2.0", "-3.5"]})
    tex = booktabs_table(df, "cap", "tab:x", group_by="dataset")
    body = tex.split("\\midrule", 1)[1]
    assert "\\begin{tabular}{lr}" in tex and body.count("\\midrule") == 1  # one between a and b
    assert "$-$3.5" in tex and "\\caption{cap}" in tex and "\\label{tab:x}" in tex
    assert booktabs_table(pd.DataFrame()) == ""


def test_accuracy_panels_hold_at_most_eight_series(record_factory, tmp_path):
    from bench.report.figures.plots import MAX_SERIES, accuracy_panels, plot_accuracy_vs_qubits

    heads = [f"head{i:02d}" for i in range(10)]
    recs = [record_factory("classical", q, 0) for q in (4, 8)]
    for h in heads:
        for q in (4, 8):
            r = record_factory("quantum", q, 0, 1, "default.qubit")
            r.head = h
            recs.append(r)
    frame = records_frame(recs)
    panels = accuracy_panels(frame)
    assert all(len(p[2]) + 1 <= MAX_SERIES for p in panels)  # + the classical head
    assert sorted(h for p in panels for h in p[2]) == heads and len(panels) == 2
    assert plot_accuracy_vs_qubits(frame, tmp_path / "a.png") is not None


def test_point_labels_overlap_neither_each_other_nor_the_markers():
    from bench.report.figures.style import new_figure, place_labels

    fig, axes = new_figure(1, 1, 4.3, 3.4)
    ax = axes[0, 0]
    xs = [0.020, 0.022, 0.025, 0.3, 0.31]  # three crowded points, as the tiny demos' Pareto fronts
    ys = [0.36, 0.40, 0.45, 0.60, 0.62]
    ax.plot(xs, ys, "o")
    ax.set_xscale("log")
    ax.set_xlim(0.01, 1.0)
    ax.set_ylim(0.0, 1.0)
    points = list(zip(xs, ys, strict=True))
    boxes = place_labels(ax, points, [f"hybrid-fixed {i}q 1L" for i in range(5)])
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
        for p in ax.transData.transform(points):
            assert not a.contains(*p)
