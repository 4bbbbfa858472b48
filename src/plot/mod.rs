//! plot (to be built).
