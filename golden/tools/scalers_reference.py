#!/usr/bin/env python3
"""Independent exact reference of scikit-learn's scalers; writes golden/scalers/NN_<name>.json.

Every input is an IEEE-754 double converted exactly with Fraction(float). Counts, sums, means,
population variances, minima, maxima, ranges, medians and linearly interpolated percentiles are
exact rationals; the only irrational steps, sqrt (standard scaler) and the normal quantiles of
unit_variance (robust scaler), are evaluated at 50 significant digits (decimal, mpmath). Each
expected value is then rounded once to the nearest double.

The formulas and edge cases are scikit-learn's (sklearn/preprocessing/_data.py, >= 1.2):
  StandardScaler  mean_ = sum/n, var_ = sum((x - mean)^2)/n, scale_ = sqrt(var_), 1 where the
                  feature is constant (_is_constant_feature: var <= n*eps*var + (n*mean*eps)^2);
                  transform (x - mean_) / scale_ (each step only with with_mean / with_std).
  MinMaxScaler    data_range_ = max - min, scale_ = (b - a) / data_range_ (a range < 10*eps
                  counts as 1), min_ = a - data_min_ * scale_; transform x*scale_ + min_, then
                  clip to [a, b] with clip=True.
  MaxAbsScaler    scale_ = max |x| (< 10*eps -> 1); transform x / scale_.
  RobustScaler    center_ = median, scale_ = q(Q3) - q(Q1) (NumPy's linear percentile, virtual
                  index (n-1)*Q/100; a range < 10*eps -> 1), divided by
                  norm.ppf(Q3/100) - norm.ppf(Q1/100) with unit_variance; transform
                  (x - center_) / scale_ (each step only with with_centering / with_scaling).
A batch with "training": true takes its records one at a time: partial_fit(record), then
transform(record) with the statistics so far (streamnorm's train mode); "training": false
transforms with the frozen statistics.

Usage: python3 golden/tools/scalers_reference.py [OUTPUT_DIR]   (default: golden/scalers)
"""
import json
import math
import os
import random
import sys
from decimal import Decimal, getcontext
from fractions import Fraction

import mpmath

getcontext().prec = 50
mpmath.mp.dps = 50
EPS = Fraction(2.220446049250313e-16)  # np.finfo(np.float64).eps, exactly 2**-52


def to_double(q):
    """The double nearest the rational q (Fraction -> float rounds correctly)."""
    return float(q)


def sqrt_frac(q):
    """sqrt of a rational at 50 digits, as a Fraction."""
    d = Decimal(q.numerator) / Decimal(q.denominator)
    return Fraction(d.sqrt())


def ppf(p):
    """The standard normal quantile at 50 digits, as a Fraction."""
    x = mpmath.mpf(p.numerator) / p.denominator
    return Fraction(str(mpmath.sqrt(2) * mpmath.erfinv(2 * x - 1)))


# ---------------------------------------------------------------------------------------------
# scalers: state is a list of records (the exact inputs so far); fitted() gives the attributes


def standard_fit(rows, params):
    n = len(rows)
    f = len(rows[0])
    mean = [sum(r[i] for r in rows) / n for i in range(f)]
    var = [sum((r[i] - mean[i]) ** 2 for r in rows) / n for i in range(f)]
    scale = []
    for i in range(f):
        constant = var[i] <= n * EPS * var[i] + (n * mean[i] * EPS) ** 2
        scale.append(Fraction(1) if constant else sqrt_frac(var[i]))
    attrs = {"mean_": mean, "var_": var}
    if params["with_std"]:
        attrs["scale_"] = scale
    return attrs


def standard_transform(attrs, x, params):
    y = []
    for i, v in enumerate(x):
        if params["with_mean"]:
            v = v - attrs["mean_"][i]
        if params["with_std"]:
            v = v / attrs["scale_"][i]
        y.append(v)
    return y


def zero_to_one(scale):
    return Fraction(1) if scale < 10 * EPS else scale


def minmax_fit(rows, params):
    f = len(rows[0])
    a, b = (Fraction(v) for v in params["feature_range"])
    lo = [min(r[i] for r in rows) for i in range(f)]
    hi = [max(r[i] for r in rows) for i in range(f)]
    rng = [hi[i] - lo[i] for i in range(f)]
    scale = [(b - a) / zero_to_one(rng[i]) for i in range(f)]
    mn = [a - lo[i] * scale[i] for i in range(f)]
    return {"data_min_": lo, "data_max_": hi, "data_range_": rng, "min_": mn, "scale_": scale}


def minmax_transform(attrs, x, params):
    a, b = (Fraction(v) for v in params["feature_range"])
    y = [v * attrs["scale_"][i] + attrs["min_"][i] for i, v in enumerate(x)]
    if params["clip"]:
        y = [min(max(v, a), b) for v in y]
    return y


def maxabs_fit(rows, params):
    f = len(rows[0])
    m = [max(abs(r[i]) for r in rows) for i in range(f)]
    return {"max_abs_": m, "scale_": [zero_to_one(v) for v in m]}


def maxabs_transform(attrs, x, params):
    return [v / attrs["scale_"][i] for i, v in enumerate(x)]


def percentile(sorted_values, q):
    n = len(sorted_values)
    h = (n - 1) * Fraction(q) / 100
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def robust_fit(rows, params):
    f = len(rows[0])
    q1, q3 = params["quantile_range"]
    center, scale = [], []
    for i in range(f):
        col = sorted(r[i] for r in rows)
        n = len(col)
        center.append(col[n // 2] if n % 2 else (col[n // 2 - 1] + col[n // 2]) / 2)
        s = zero_to_one(percentile(col, q3) - percentile(col, q1))
        if params["unit_variance"]:
            s = s / (ppf(Fraction(q3) / 100) - ppf(Fraction(q1) / 100))
        scale.append(s)
    attrs = {}
    if params["with_centering"]:
        attrs["center_"] = center
    if params["with_scaling"]:
        attrs["scale_"] = scale
    return attrs


def robust_transform(attrs, x, params):
    y = []
    for i, v in enumerate(x):
        if params["with_centering"]:
            v = v - attrs["center_"][i]
        if params["with_scaling"]:
            v = v / attrs["scale_"][i]
        y.append(v)
    return y


OPS = {
    "standard_scaler": (standard_fit, standard_transform),
    "minmax_scaler": (minmax_fit, minmax_transform),
    "maxabs_scaler": (maxabs_fit, maxabs_transform),
    "robust_scaler": (robust_fit, robust_transform),
}

DEFAULTS = {
    "standard_scaler": {"with_mean": True, "with_std": True},
    "minmax_scaler": {"feature_range": [0.0, 1.0], "clip": False},
    "maxabs_scaler": {},
    "robust_scaler": {
        "with_centering": True,
        "with_scaling": True,
        "quantile_range": [25.0, 75.0],
        "unit_variance": False,
    },
}

TOLERANCE = {
    "normal": {"abs": 1e-9, "rel": 1e-9},
    "const": {"abs": 1e-9, "rel": 1e-9},
    "mixed": {"abs": 1e-9, "rel": 1e-9},
    "cancel": {"abs": 1e-4, "rel": 1e-12},
    "big": {"abs": 1e-9, "rel": 1e-9},
    "tiny": {"abs": 1e-157, "rel": 1e-9},
}


def doubles(values):
    return [to_double(v) for v in values]


def make_case(name, op, params, batches, data_kind, description, seed):
    """batches: list of (training, [records as lists of floats])."""
    full = dict(DEFAULTS[op])
    full.update(params)
    fit, transform = OPS[op]
    seen = []
    out_batches = []
    attrs = None
    for training, records in batches:
        outputs = []
        for rec in records:
            x = [Fraction(v) for v in rec]
            if training:
                seen.append(x)
                attrs = fit(seen, full)
            outputs.append(doubles(transform(attrs, x, full)))
        state = {"n_samples_seen_": len(seen)}
        state.update({k: doubles(v) for k, v in attrs.items()})
        out_batches.append(
            {"training": training, "input": records, "output": outputs, "state_after": state}
        )
    return {
        "name": name,
        "op": op,
        "params": full,
        "shape": [len(batches[0][1][0])],
        "initial_state": {},
        "batches": out_batches,
        "tolerance": TOLERANCE[data_kind],
        "tolerance_f32": None,
        "inputs_exact_in_float32": False,
        "data_kind": data_kind,
        "description": description,
        "generator": {"seed": seed, "oracle": "fractions + decimal(50) + mpmath(50)"},
    }


def records(rng, n, f, kind):
    out = []
    for _ in range(n):
        if kind == "normal":
            out.append([rng.gauss(i, 1 + i) for i in range(f)])
        elif kind == "cancel":
            out.append([1e9 + rng.gauss(0, 1) for _ in range(f)])
        elif kind == "big":
            out.append([rng.gauss(0, 1) * 1e150 for _ in range(f)])
        elif kind == "tiny":
            out.append([rng.gauss(0, 1) * 1e-150 for _ in range(f)])
        elif kind == "mixed":
            out.append([rng.choice([-1.0, 1.0]) * 10 ** rng.uniform(-3, 3) for _ in range(f)])
    return out


def cases():
    out = []
    r = random.Random(14)

    def add(*args):
        out.append(make_case(*args))

    # standard
    add("standard_train_eval_3f", "standard_scaler", {},
        [(True, records(r, 40, 3, "normal")), (False, records(r, 8, 3, "normal"))],
        "normal", "partial_fit one record at a time, then eval", 14)
    add("standard_single_record", "standard_scaler", {},
        [(True, [[4.5, -1e9, 0.0]]), (False, [[5.5, 0.0, -0.0]])],
        "const", "one record: var 0, scale 1, output 0", 14)
    add("standard_const_and_negzero", "standard_scaler", {},
        [(True, [[0.1, -0.0, 3.0], [0.1, 0.0, 3.0], [0.1, -0.0, 5.0]]),
         (False, [[0.2, -0.0, 4.0]])],
        "const", "constant features (scale 1) and negative zeros", 14)
    add("standard_cancel1e9", "standard_scaler", {},
        [(True, records(r, 60, 2, "cancel")), (False, records(r, 5, 2, "cancel"))],
        "cancel", "1e9 + unit noise: E[x^2]-E[x]^2 fails here", 14)
    add("standard_big1e150", "standard_scaler", {},
        [(True, records(r, 30, 2, "big"))], "big", "values near 1e150", 14)
    add("standard_tiny1e-150", "standard_scaler", {},
        [(True, records(r, 30, 2, "tiny"))], "tiny", "values near 1e-150", 14)
    add("standard_no_mean", "standard_scaler", {"with_mean": False},
        [(True, records(r, 20, 2, "normal")), (False, records(r, 4, 2, "normal"))],
        "normal", "with_mean=False", 14)
    add("standard_no_std", "standard_scaler", {"with_std": False},
        [(True, records(r, 20, 2, "normal")), (False, records(r, 4, 2, "normal"))],
        "normal", "with_std=False", 14)
    # min-max
    add("minmax_train_eval_3f", "minmax_scaler", {},
        [(True, records(r, 40, 3, "normal")), (False, records(r, 8, 3, "normal"))],
        "normal", "default feature range", 14)
    add("minmax_range_clip", "minmax_scaler", {"feature_range": [-1.0, 2.0], "clip": True},
        [(True, records(r, 20, 2, "normal")), (False, [[-50.0, 50.0], [0.5, 1.5]])],
        "normal", "feature_range (-1, 2), clip on values beyond the training range", 14)
    add("minmax_const_negzero", "minmax_scaler", {"feature_range": [2.0, 5.0]},
        [(True, [[7.0, -0.0], [7.0, 0.0], [7.0, -0.0]]), (False, [[8.0, 1.0]])],
        "const", "zero range: scale (b-a)/1", 14)
    add("minmax_single_record", "minmax_scaler", {},
        [(True, [[1.5, -2.5]])], "const", "one record", 14)
    add("minmax_mixed", "minmax_scaler", {},
        [(True, records(r, 30, 3, "mixed"))], "mixed", "magnitudes 1e-3..1e3, both signs", 14)
    # max-abs
    add("maxabs_train_eval_3f", "maxabs_scaler", {},
        [(True, records(r, 40, 3, "normal")), (False, records(r, 8, 3, "normal"))],
        "normal", "max |x| per feature", 14)
    add("maxabs_zeros_negzero", "maxabs_scaler", {},
        [(True, [[-0.0, 0.0, -3.0], [0.0, -0.0, 2.0]]), (False, [[-0.0, 5.0, -6.0]])],
        "const", "all-zero features (scale 1) and negative zeros", 14)
    add("maxabs_big1e150", "maxabs_scaler", {},
        [(True, records(r, 20, 2, "big"))], "big", "values near 1e150", 14)
    # robust
    add("robust_train_eval_3f", "robust_scaler", {},
        [(True, records(r, 41, 3, "normal")), (False, records(r, 8, 3, "normal"))],
        "normal", "median and IQR, exact (n below the sketch size)", 14)
    add("robust_even_counts", "robust_scaler", {},
        [(True, records(r, 2, 2, "normal")), (True, records(r, 2, 2, "normal"))],
        "normal", "even counts: median of the middle two", 14)
    add("robust_quantiles_10_90", "robust_scaler", {"quantile_range": [10.0, 90.0]},
        [(True, records(r, 25, 2, "normal"))], "normal", "quantile_range (10, 90)", 14)
    add("robust_unit_variance", "robust_scaler", {"unit_variance": True},
        [(True, records(r, 25, 2, "normal")), (False, records(r, 4, 2, "normal"))],
        "normal", "unit_variance: scale / (ppf(.75) - ppf(.25))", 14)
    add("robust_no_centering", "robust_scaler", {"with_centering": False},
        [(True, records(r, 15, 2, "normal"))], "normal", "with_centering=False", 14)
    add("robust_no_scaling", "robust_scaler", {"with_scaling": False},
        [(True, records(r, 15, 2, "normal"))], "normal", "with_scaling=False", 14)
    add("robust_const_single", "robust_scaler", {},
        [(True, [[3.0, -0.0]]), (True, [[3.0, 0.0], [3.0, 1.0]])],
        "const", "one record, then a constant feature (IQR 0 -> 1)", 14)
    return out


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "scalers")
    os.makedirs(target, exist_ok=True)
    for i, case in enumerate(cases()):
        path = os.path.join(target, "%02d_%s.json" % (i, case["name"]))
        with open(path, "w") as f:
            json.dump(case, f, indent=1)
            f.write("\n")
    print("wrote %d cases to %s" % (len(cases()), target))


if __name__ == "__main__":
    main()
