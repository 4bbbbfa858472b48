//! dce (to be built).
