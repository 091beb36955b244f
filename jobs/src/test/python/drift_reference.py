#!/usr/bin/env python3
"""An independent computation of DESIGN §8 (drift of live features against the served stats).

Usage: drift_reference.py INPUT.jsonl STATS.json DRIFT.jsonl [--momentum M] [--threshold T] [--psi P]

Folds every key's records of INPUT (file order, as a file run reads them) into the shadow stats of
DESIGN §8 with 50-digit decimal arithmetic (bin edges from Python's statistics.NormalDist), then
compares each key's last record in DRIFT (the record at the end of bounded input) with it:
records, and per feature shift, var_ratio and psi within abs 1e-9 + rel 1e-9; and the alert flag.
Prints the alerting keys; exits 1 on any mismatch. Standard library only.
"""
import argparse
import json
import math
import sys
from decimal import Decimal, getcontext
from statistics import NormalDist

getcontext().prec = 50
Z = [NormalDist().inv_cdf(k / 10) for k in range(1, 10)]


class Shadow:
    def __init__(self, channels, m):
        self.m = Decimal(m)
        self.keep = 1 - self.m
        self.records = 0
        self.mean = [None] * channels
        self.var = [None] * channels
        self.p = [[Decimal(0)] * 10 for _ in range(channels)]
        self.served = None

    def accept(self, values, served_mean, served_var):
        channels = len(self.mean)
        positions = len(values) // channels
        self.served = (served_mean, served_var)
        for c in range(channels):
            sd = math.sqrt(served_var[c])
            for l in range(positions):
                x = values[c * positions + l]
                b = sum(1 for z in Z if x >= served_mean[c] + sd * z)
                dx = Decimal(x)
                if self.records == 0 and l == 0:
                    self.mean[c], self.var[c] = dx, Decimal(0)
                    self.p[c] = [Decimal(1) if k == b else Decimal(0) for k in range(10)]
                    continue
                d = dx - self.mean[c]
                self.mean[c] += self.m * d
                self.var[c] = self.keep * (self.var[c] + self.m * d * d)
                self.p[c] = [self.keep * p + (self.m if k == b else 0) for k, p in enumerate(self.p[c])]
        self.records += 1

    def features(self):
        mean_s, var_s = self.served
        out = []
        for c in range(len(self.mean)):
            vs = Decimal(var_s[c])
            shift = (self.mean[c] - Decimal(mean_s[c])) / vs.sqrt()
            ratio = self.var[c] / vs
            psi = sum((float(p) - 0.1) * math.log(max(float(p), 1e-4) / 0.1) for p in self.p[c])
            out.append((float(shift), float(ratio), psi))
        return out


def close(actual, expected):
    return abs(actual - expected) <= 1e-9 + 1e-9 * abs(expected)


def main():
    args = argparse.ArgumentParser()
    args.add_argument("input")
    args.add_argument("stats")
    args.add_argument("drift")
    args.add_argument("--momentum", type=float, default=0.01)
    args.add_argument("--threshold", type=float, default=3.0)
    args.add_argument("--psi", type=float, default=0.25)
    a = args.parse_args()
    stats = json.load(open(a.stats))
    eps = stats.get("eps", 1e-5)
    entries = stats["keys"]
    shadows = {}
    for line in open(a.input):
        record = json.loads(line)
        key = record.get("key", "")
        entry = entries.get(key, entries.get("*"))
        if entry is None:
            continue
        served_var = [v + eps for v in entry["running_var"]]
        shadow = shadows.setdefault(key, Shadow(len(entry["running_mean"]), a.momentum))
        shadow.accept(record["values"], entry["running_mean"], served_var)
    last = {}
    for line in open(a.drift):
        record = json.loads(line)
        last[record["key"]] = record
    failures = 0
    if set(last) != set(shadows):
        print("keys differ: drift %s, input %s" % (sorted(last), sorted(shadows)))
        failures += 1
    alerting = []
    for key, shadow in sorted(shadows.items()):
        record = last.get(key)
        if record is None:
            continue
        expected = shadow.features()
        if record["records"] != shadow.records:
            print("%s: records %s, expected %s" % (key, record["records"], shadow.records))
            failures += 1
        for c, (shift, ratio, psi) in enumerate(expected):
            got = record["features"][c]
            for name, want in (("shift", shift), ("var_ratio", ratio), ("psi", psi)):
                if not close(got[name], want):
                    print("%s feature %d %s: %r, expected %r" % (key, c, name, got[name], want))
                    failures += 1
        alert = max(abs(s) for s, _, _ in expected) >= a.threshold or max(p for _, _, p in expected) >= a.psi
        if alert != record["alert"]:
            print("%s: alert %s, expected %s" % (key, record["alert"], alert))
            failures += 1
        if alert:
            alerting.append(key)
    print("keys checked: %d, alerting: %s, mismatches: %d" % (len(shadows), alerting, failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
