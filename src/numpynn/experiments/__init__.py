"""Studies, one module each: they compose library calls and write run directories."""
