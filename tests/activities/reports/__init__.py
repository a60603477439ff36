"""Tests of activities/reports/."""
