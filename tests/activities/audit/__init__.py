"""Tests of activities/audit/."""
