//! Conversions between Rhai values and Rust values, and option maps with checked keys.
//!
//! Every script-visible function takes its options as `#{key: value}`; [`Opts::new`] rejects
//! unknown keys and the typed getters name the function and key in their errors.
use super::{err, RResult};
use crate::roi::Mask;
use crate::volume::Volume;
use rhai::{Array, Dynamic, Map, FLOAT, INT};

/// A number from a Rhai value (integer or float), or an error naming `what`.
pub fn num(d: &Dynamic, what: &str) -> RResult<f64> {
    if let Some(f) = d.clone().try_cast::<FLOAT>() {
        Ok(f)
    } else if let Some(i) = d.clone().try_cast::<INT>() {
        Ok(i as f64)
    } else {
        Err(err(format!(
            "{what}: expected a number, got {}",
            d.type_name()
        )))
    }
}

/// An array of numbers (integers or floats); `()` elements become NaN (missing values).
pub fn f64_vec(a: &Array, what: &str) -> RResult<Vec<f64>> {
    a.iter()
        .enumerate()
        .map(|(i, d)| {
            if d.is_unit() {
                Ok(f64::NAN)
            } else {
                num(d, &format!("{what}[{i}]"))
            }
        })
        .collect()
}

/// A Rhai array of floats.
pub fn to_array(v: &[f64]) -> Array {
    v.iter().map(|&x| Dynamic::from_float(x)).collect()
}

/// An array of arrays of numbers (groups for statistics).
pub fn groups(a: &Array, what: &str) -> RResult<Vec<Vec<f64>>> {
    a.iter()
        .enumerate()
        .map(|(i, g)| {
            let arr = g.clone().try_cast::<Array>().ok_or_else(|| {
                err(format!(
                    "{what}[{i}]: expected an array of numbers, got {}",
                    g.type_name()
                ))
            })?;
            f64_vec(&arr, &format!("{what}[{i}]"))
        })
        .collect()
}

/// Option map of a script function: unknown keys are errors, getters give defaults.
pub struct Opts {
    op: String,
    map: Map,
}

impl Opts {
    /// Check that `map` only has keys from `allowed`.
    pub fn new(op: &str, map: Map, allowed: &[&str]) -> RResult<Opts> {
        for k in map.keys() {
            if !allowed.contains(&k.as_str()) {
                let mut keys: Vec<&str> = allowed.to_vec();
                keys.sort();
                return Err(err(format!(
                    "{op}: unknown option '{k}' (known options: {})",
                    if keys.is_empty() {
                        "none".to_string()
                    } else {
                        keys.join(", ")
                    }
                )));
            }
        }
        Ok(Opts {
            op: op.to_string(),
            map,
        })
    }
    fn get(&self, key: &str) -> Option<&Dynamic> {
        self.map.get(key).filter(|d| !d.is_unit())
    }
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    fn what(&self, key: &str) -> String {
        format!("{}: option '{key}'", self.op)
    }
    pub fn f64_opt(&self, key: &str) -> RResult<Option<f64>> {
        self.get(key).map(|d| num(d, &self.what(key))).transpose()
    }
    pub fn f64(&self, key: &str, default: f64) -> RResult<f64> {
        Ok(self.f64_opt(key)?.unwrap_or(default))
    }
    /// A required number.
    pub fn f64_req(&self, key: &str) -> RResult<f64> {
        self.f64_opt(key)?
            .ok_or_else(|| err(format!("{} is required", self.what(key))))
    }
    pub fn int(&self, key: &str, default: i64) -> RResult<i64> {
        match self.get(key) {
            None => Ok(default),
            Some(d) => d
                .as_int()
                .map_err(|t| err(format!("{}: expected an integer, got {t}", self.what(key)))),
        }
    }
    pub fn bool(&self, key: &str, default: bool) -> RResult<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(d) => d.as_bool().map_err(|t| {
                err(format!(
                    "{}: expected true or false, got {t}",
                    self.what(key)
                ))
            }),
        }
    }
    pub fn str_opt(&self, key: &str) -> RResult<Option<String>> {
        self.get(key)
            .map(|d| {
                d.clone()
                    .into_string()
                    .map_err(|t| err(format!("{}: expected a string, got {t}", self.what(key))))
            })
            .transpose()
    }
    pub fn str(&self, key: &str, default: &str) -> RResult<String> {
        Ok(self.str_opt(key)?.unwrap_or_else(|| default.to_string()))
    }
    /// A string that must be one of `choices`.
    pub fn choice(&self, key: &str, default: &str, choices: &[&str]) -> RResult<String> {
        let s = self.str(key, default)?;
        if choices.contains(&s.as_str()) {
            Ok(s)
        } else {
            Err(err(format!(
                "{}: '{s}' is not one of {}",
                self.what(key),
                choices.join(", ")
            )))
        }
    }
    pub fn array_opt(&self, key: &str) -> RResult<Option<Vec<f64>>> {
        match self.get(key) {
            None => Ok(None),
            Some(d) => {
                let a = d.clone().try_cast::<Array>().ok_or_else(|| {
                    err(format!(
                        "{}: expected an array of numbers, got {}",
                        self.what(key),
                        d.type_name()
                    ))
                })?;
                f64_vec(&a, &self.what(key)).map(Some)
            }
        }
    }
    /// A value of a registered type (Volume, Mask, Curve, …).
    pub fn typed_opt<T: Clone + 'static>(&self, key: &str, type_name: &str) -> RResult<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(d) => d.clone().try_cast::<T>().map(Some).ok_or_else(|| {
                err(format!(
                    "{}: expected a {type_name}, got {}",
                    self.what(key),
                    d.type_name()
                ))
            }),
        }
    }
    pub fn volume_opt(&self, key: &str) -> RResult<Option<Volume>> {
        self.typed_opt::<Volume>(key, "Volume")
    }
    pub fn mask_opt(&self, key: &str) -> RResult<Option<Mask>> {
        self.typed_opt::<Mask>(key, "Mask")
    }
    /// The raw value of a key, if present.
    pub fn raw(&self, key: &str) -> Option<&Dynamic> {
        self.get(key)
    }
}

/// A JSON value (sidecar, cache) as a Rhai value: null → `()`, integers stay integers.
pub fn json_to_dynamic(v: &serde_json::Value) -> Dynamic {
    use serde_json::Value;
    match v {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        Value::Array(a) => Dynamic::from_array(a.iter().map(json_to_dynamic).collect()),
        Value::Object(o) => Dynamic::from_map(
            o.iter()
                .map(|(k, v)| (k.as_str().into(), json_to_dynamic(v)))
                .collect(),
        ),
    }
}

/// Build a Rhai object map from `(key, value)` pairs.
pub fn map_of(items: Vec<(&str, Dynamic)>) -> Map {
    items.into_iter().map(|(k, v)| (k.into(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named() {
        let mut m = Map::new();
        m.insert("extendd".into(), Dynamic::TRUE);
        let e = Opts::new("tofts", m, &["extended", "method"])
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("tofts: unknown option 'extendd'") && e.contains("extended, method"),
            "{e}"
        );
    }

    #[test]
    fn typed_getters() {
        let mut m = Map::new();
        m.insert("tr_ms".into(), Dynamic::from_int(5));
        m.insert("method".into(), "llsq".into());
        let o = Opts::new("f", m, &["tr_ms", "method"]).unwrap();
        assert_eq!(o.f64("tr_ms", 1.0).unwrap(), 5.0);
        assert_eq!(o.f64("missing", 1.5).unwrap(), 1.5);
        assert!(o.choice("method", "nlls", &["nlls", "x"]).is_err());
        assert!(o
            .bool("tr_ms", false)
            .err()
            .unwrap()
            .to_string()
            .contains("option 'tr_ms'"));
    }
}
