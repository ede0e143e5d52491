"""Loopbrug's Rasa project: configuration, domain, rules and custom NLU components."""
