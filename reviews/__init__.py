"""What the desk decided: stages, assignments, verdicts, votes, corrections, audit trail."""
