"""The domain, pure and in rooms: the case (案件), its deadlines (时限), organisations (单位),
people's data (人员与个人信息) and the audit chain (审计链); the shared kernel sits here.

Nothing here performs I/O or reads a clock: ``now`` is always an argument.
"""
