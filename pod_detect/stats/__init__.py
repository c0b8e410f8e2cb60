"""The statistics the detectors test with: tail probabilities (:mod:`.tails`), rank tests
(:mod:`.ranktests`) and what makes a comment a template (:mod:`.templates`).
"""
