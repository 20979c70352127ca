"""T: time rules — the report was published on time and its dates agree with its year."""
