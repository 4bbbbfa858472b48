//! Integration tests: table.
