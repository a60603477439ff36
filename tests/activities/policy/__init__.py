"""Tests of activities/policy/."""
