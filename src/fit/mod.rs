//! fit (to be built).
