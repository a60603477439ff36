"""Tests of activities/store/."""
