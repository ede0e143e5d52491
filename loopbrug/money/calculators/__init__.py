"""The money calculators, one module each: transition (transitievergoeding), gap (monthly
shortfall during a switch) and buffer (how long savings last).

Each module computes and words its result; its form, the slots it asks and how each answer
is read are one entry in loopbrug/money/registry.py. A new calculator is a module here plus
that entry (tests/unit/test_money_registry.py fails on a money form the registry lacks).
"""
