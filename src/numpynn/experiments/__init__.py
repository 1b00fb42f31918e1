"""Studies: each module composes library calls into one experiment that writes a run directory."""
