"""Benchmarks: speed and memory of socialaudit stages against baselines run in the same process tree.

Machines are noisy, so every figure is reported beside a baseline measured in the same run
(and as a ratio to it).  Inputs are generated synthetic data, for performance only.
"""
