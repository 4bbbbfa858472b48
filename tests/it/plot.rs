//! Integration tests: plot.
