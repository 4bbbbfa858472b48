//! Integration tests: dce.
