//! study (to be built).
