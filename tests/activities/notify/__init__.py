"""Tests of activities/notify/."""
