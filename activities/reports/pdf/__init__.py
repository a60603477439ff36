"""The dossier (卷宗) printed as an A4 PDF: fonts, styles, page furniture, a module per section."""
