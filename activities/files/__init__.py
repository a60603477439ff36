"""The file store (证据材料): content-addressed files, their type checked by content, thumbnails."""
