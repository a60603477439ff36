"""The case as data (案件): stages, commands, events and the pure decide/evolve pair.

Nothing here performs I/O or reads a clock: ``now`` is always an argument.
"""
