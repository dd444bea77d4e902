"""Scoring: answers → points → scores, the inspectors' corrections, shortcomings, and the
round pipeline that writes the processed tables."""
