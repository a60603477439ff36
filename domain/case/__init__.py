"""The case lifecycle (案件): stages, commands, events, clocks, alerts, decide/evolve."""
