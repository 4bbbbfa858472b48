//! Integration tests: dwi.
