//! dwi (to be built).
