//! The study folder layout (documented in `docs/STUDY.md`) and what each lesion has on disk.
use super::tsv::Tsv;
use super::StudyError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Relative paths of one participant's inputs (`sub` is e.g. `sub-01`).
pub struct SubjectFiles {
    pub vfa: PathBuf,
    pub b1: PathBuf,
    pub dce: PathBuf,
    pub dwi: PathBuf,
    pub bval: PathBuf,
    pub pet: PathBuf,
    pub blood: PathBuf,
    pub muscle: PathBuf,
}

/// Paths of one participant's inputs under the study folder.
pub fn subject_files(dir: &Path, sub: &str) -> SubjectFiles {
    let s = dir.join(sub);
    SubjectFiles {
        vfa: s.join("dce").join(format!("{sub}_vfa.nii.gz")),
        b1: s.join("dce").join(format!("{sub}_b1.nii.gz")),
        dce: s.join("dce").join(format!("{sub}_dce.nii.gz")),
        dwi: s.join("dwi").join(format!("{sub}_dwi.nii.gz")),
        bval: s.join("dwi").join(format!("{sub}_dwi.bval")),
        pet: s.join("pet").join(format!("{sub}_pet.nii.gz")),
        blood: s.join("pet").join(format!("{sub}_blood.tsv")),
        muscle: s.join("roi").join(format!("{sub}_muscle_mask.nii.gz")),
    }
}

/// Path of the mask of lesion `lesion` of participant `sub`.
pub fn lesion_mask(dir: &Path, sub: &str, lesion: i64) -> PathBuf {
    dir.join(sub)
        .join("roi")
        .join(format!("{sub}_lesion-{lesion}_mask.nii.gz"))
}

/// Root-level files.
pub const PARTICIPANTS: &str = "participants.tsv";
pub const LESIONS: &str = "lesions.tsv";
pub const PET_INPUT: &str = "pet_input.tsv";
pub const TRUTH: &str = "truth.tsv";
pub const DERIVATIVES: &str = "derivatives/petmr";

/// One lesion with its clinical data, its participant's data and the inputs it has.
#[derive(Clone, Debug)]
pub struct LesionEntry {
    pub participant: String,
    pub lesion: i64,
    pub subtype: Option<String>,
    pub grade: Option<i64>,
    pub hr: Option<String>,
    pub her2: Option<String>,
    pub path_size_mm: Option<f64>,
    /// Every column of the participant's row in participants.tsv (numbers where they parse).
    pub participant_cols: BTreeMap<String, Option<String>>,
    /// Input files present: name → path (vfa, b1, dce, dwi, bval, pet, blood, muscle, mask).
    pub files: BTreeMap<String, PathBuf>,
    /// One message per problem found; the pipeline still analyses what it can.
    pub problems: Vec<String>,
}

/// A study folder: the clinical tables and the lesions with their inputs.
#[derive(Clone, Debug)]
pub struct Study {
    pub dir: PathBuf,
    pub lesions: Vec<LesionEntry>,
    /// Problems that concern the whole study (not one lesion).
    pub problems: Vec<String>,
}

const SUBTYPES: [&str; 4] = ["IDC", "ILC", "Mixed", "IMC"];

impl Study {
    /// Read participants.tsv and lesions.tsv and look up every lesion's inputs. A study without
    /// these two tables is an error; everything else is reported per lesion in `problems`.
    pub fn open(dir: &Path) -> Result<Study, StudyError> {
        if !dir.is_dir() {
            return Err(StudyError::file(
                &dir.display().to_string(),
                "not a folder (make one with `petmr synth DIR` or see docs/STUDY.md)",
            ));
        }
        let parts = Tsv::read(&dir.join(PARTICIPANTS))?;
        let les = Tsv::read(&dir.join(LESIONS))?;
        let pid = parts.col("participant_id")?;
        let mut problems = Vec::new();
        let mut by_id: BTreeMap<String, BTreeMap<String, Option<String>>> = BTreeMap::new();
        for (r, rec) in parts.records().into_iter().enumerate() {
            match &parts.rows[r][pid] {
                Some(id) => {
                    by_id.insert(id.clone(), rec.into_iter().collect());
                }
                None => problems.push(format!(
                    "{}: row {} has no participant_id",
                    parts.path,
                    r + 1
                )),
            }
        }
        if !dir.join(PET_INPUT).is_file() {
            problems.push(format!(
                "{}: missing: the population PET input table (Ki and %HF will be missing)",
                dir.join(PET_INPUT).display()
            ));
        }
        let lp = les.col("participant_id")?;
        let mut lesions = Vec::new();
        for r in 0..les.rows.len() {
            let Some(sub) = les.rows[r][lp].clone() else {
                problems.push(format!("{}: row {} has no participant_id", les.path, r + 1));
                continue;
            };
            let mut lp_problems = Vec::new();
            let mut note = |m: String| lp_problems.push(format!("{sub}: {m}"));
            let lesion = match les.num(r, "lesion") {
                Ok(Some(x)) if x >= 1.0 && x.fract() == 0.0 => x as i64,
                Ok(_) => {
                    note(format!(
                        "{}: row {}: lesion must be 1, 2, …",
                        les.path,
                        r + 1
                    ));
                    continue_with_problem(&mut problems, &mut lp_problems);
                    continue;
                }
                Err(e) => {
                    note(e.to_string());
                    continue_with_problem(&mut problems, &mut lp_problems);
                    continue;
                }
            };
            let subtype = les.text(r, "subtype").unwrap_or(None);
            if let Some(s) = &subtype {
                if !SUBTYPES.contains(&s.as_str()) {
                    note(format!(
                        "lesion {lesion}: subtype '{s}' is not one of {}",
                        SUBTYPES.join(", ")
                    ));
                }
            }
            let grade = match les.num(r, "grade") {
                Ok(Some(g)) if [1.0, 2.0, 3.0].contains(&g) => Some(g as i64),
                Ok(None) => None,
                Ok(Some(g)) => {
                    note(format!("lesion {lesion}: grade {g} is not 1, 2 or 3"));
                    None
                }
                Err(e) => {
                    note(e.to_string());
                    None
                }
            };
            let path_size_mm = les.num(r, "path_size_mm").unwrap_or_else(|e| {
                note(e.to_string());
                None
            });
            let pcols = match by_id.get(&sub) {
                Some(c) => c.clone(),
                None => {
                    note(format!(
                        "lesion {lesion}: not in {} (age, weight, dose, hematocrit missing)",
                        parts.path
                    ));
                    BTreeMap::new()
                }
            };
            let mut files = BTreeMap::new();
            let f = subject_files(dir, &sub);
            if !dir.join(&sub).is_dir() {
                note(format!(
                    "lesion {lesion}: lesions.tsv lists it but there is no folder {} (no images: every imaging value is missing)",
                    dir.join(&sub).display()
                ));
            } else {
                let need = [
                    ("vfa", &f.vfa, "T1 and all DCE parameters"),
                    ("b1", &f.b1, "B1 correction (T1 is computed without it)"),
                    (
                        "dce",
                        &f.dce,
                        "all DCE parameters and the PET registration target",
                    ),
                    ("dwi", &f.dwi, "ADC"),
                    ("bval", &f.bval, "ADC"),
                    ("pet", &f.pet, "all PET parameters"),
                    ("blood", &f.blood, "Ki, %HF and Tmax/P"),
                    ("muscle", &f.muscle, "Tmax/M and %HF"),
                ];
                let m = lesion_mask(dir, &sub, lesion);
                for (k, p, what) in need {
                    let dwi_not_acquired =
                        (k == "dwi" || k == "bval") && !dir.join(&sub).join("dwi").exists();
                    if p.is_file() {
                        files.insert(k.to_string(), p.clone());
                    } else if dwi_not_acquired || (k == "bval" && !f.dwi.is_file()) {
                        // DWI is optional (no dwi/ folder: not acquired); a missing bval is
                        // reported once, with the DWI series
                    } else {
                        note(format!(
                            "lesion {lesion}: missing {} ({what} left missing)",
                            rel(dir, p)
                        ));
                    }
                }
                if m.is_file() {
                    files.insert("mask".into(), m);
                } else {
                    note(format!(
                        "lesion {lesion}: missing {} (no lesion mask: every imaging value is missing)",
                        rel(dir, &m)
                    ));
                }
            }
            lesions.push(LesionEntry {
                participant: sub.clone(),
                lesion,
                subtype,
                grade,
                hr: les.text(r, "hr").unwrap_or(None),
                her2: les.text(r, "her2").unwrap_or(None),
                path_size_mm,
                participant_cols: pcols,
                files,
                problems: lp_problems,
            });
        }
        Ok(Study {
            dir: dir.to_path_buf(),
            lesions,
            problems,
        })
    }
}

fn continue_with_problem(all: &mut Vec<String>, these: &mut Vec<String>) {
    all.append(these);
}

/// `p` relative to the study folder, for messages.
pub fn rel(dir: &Path, p: &Path) -> String {
    p.strip_prefix(dir).unwrap_or(p).display().to_string()
}
