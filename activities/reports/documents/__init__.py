"""文书: templates (deployment data) and the PDF and .docx a case's documents are printed as."""
