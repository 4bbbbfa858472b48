//! Integration tests: pet.
