//! Study folders: the layout (see `docs/STUDY.md`), reading the clinical tables, checking what
//! each lesion has, result caching, the synthetic study generator and the voxel-class analysis
//! that goes beyond the paper.
pub mod cache;
pub mod classes;
mod cohort;
pub mod layout;
mod models;
pub mod rng;
pub mod synth;
mod synth_pet;
pub mod tsv;

pub use layout::{LesionEntry, Study};
pub use synth::{synth_study, Size, SynthOptions, SynthReport};

/// Errors of the study layer; messages read `study: where: what`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StudyError {
    /// A file of the study is missing, unreadable or malformed.
    #[error("study: {path}: {what}")]
    File { path: String, what: String },
    /// A bad argument.
    #[error("study: {op}: {what}")]
    Arg { op: String, what: String },
    /// An error from the volume layer while reading or writing images.
    #[error("{0}")]
    Volume(#[from] crate::volume::VolError),
    /// An error from the PET layer (e.g. the muscle threshold of the voxel classes).
    #[error("{0}")]
    Pet(#[from] crate::pet::PetError),
    /// The user cancelled.
    #[error("study: cancelled by the user")]
    Cancelled,
}

impl StudyError {
    pub fn file(path: &str, what: impl Into<String>) -> Self {
        StudyError::File {
            path: path.into(),
            what: what.into(),
        }
    }
    pub fn arg(op: &str, what: impl Into<String>) -> Self {
        StudyError::Arg {
            op: op.into(),
            what: what.into(),
        }
    }
}

impl From<crate::progress::Cancelled> for StudyError {
    fn from(_: crate::progress::Cancelled) -> Self {
        StudyError::Cancelled
    }
}
