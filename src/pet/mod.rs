//! pet (to be built).
