"""The dossier's sections (案件卷宗各部分), each with its parts and how the case fills them."""
