//! stats (to be built).
