"""Documents made from a case: the dossier (卷宗) as JSON and PDF."""
