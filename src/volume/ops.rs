//! Voxelwise arithmetic between volumes and with scalars.
use super::{VolError, Volume};
use ndarray::Zip;

/// A binary arithmetic operator.
#[derive(Clone, Copy, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    #[inline]
    fn apply(self, a: f32, b: f32) -> f32 {
        match self {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
        }
    }
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

impl Volume {
    /// `self op other` voxel by voxel. Both must share a grid; a 3-D operand is broadcast over
    /// the frames of a 4-D one. Division by zero gives ±inf or NaN, as in IEEE arithmetic.
    pub fn binary(&self, other: &Volume, op: BinOp) -> Result<Volume, VolError> {
        let name = format!("operator {}", op.symbol());
        self.grid
            .require_same(&other.grid, &name, "the two volumes")?;
        let (na, nb) = (self.n_frames(), other.n_frames());
        if na == nb {
            let mut out = (*self.data).clone();
            Zip::from(&mut out)
                .and(&*other.data)
                .par_for_each(|a, &b| *a = op.apply(*a, b));
            self.with_data(out)
        } else if nb == 1 {
            let mut out = (*self.data).clone();
            let b = other.as_slice();
            out.as_slice_mut()
                .expect("standard layout")
                .chunks_exact_mut(na)
                .zip(b)
                .for_each(|(c, &bv)| c.iter_mut().for_each(|a| *a = op.apply(*a, bv)));
            self.with_data(out)
        } else if na == 1 {
            let mut out = (*other.data).clone();
            let a = self.as_slice();
            out.as_slice_mut()
                .expect("standard layout")
                .chunks_exact_mut(nb)
                .zip(a)
                .for_each(|(c, &av)| c.iter_mut().for_each(|b| *b = op.apply(av, *b)));
            other.with_data(out)
        } else {
            Err(VolError::grid(
                &name,
                format!("frame counts differ: {na} vs {nb}"),
            ))
        }
    }
    /// `self op k` (or `k op self` when `scalar_first`).
    pub fn scalar(&self, k: f64, op: BinOp, scalar_first: bool) -> Volume {
        let k = k as f32;
        let out = if scalar_first {
            self.data.mapv(|a| op.apply(k, a))
        } else {
            self.data.mapv(|a| op.apply(a, k))
        };
        self.with_data(out).expect("same shape")
    }
    /// Apply `f` to every value.
    pub fn map(&self, f: impl Fn(f32) -> f32 + Sync + Send) -> Volume {
        let mut out = (*self.data).clone();
        out.par_mapv_inplace(f);
        self.with_data(out).expect("same shape")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::volume::Grid;
    use ndarray::Array4;

    #[test]
    fn broadcast_3d_over_4d() {
        let g = Grid::axis_aligned([2, 1, 1], [1.0; 3], [0.0; 3]);
        let a = Volume::new(
            g.clone(),
            Array4::from_shape_vec((2, 1, 1, 2), vec![1., 2., 3., 4.]).unwrap(),
            None,
        )
        .unwrap();
        let b = Volume::new(
            g.clone(),
            Array4::from_shape_vec((2, 1, 1, 1), vec![10., 20.]).unwrap(),
            None,
        )
        .unwrap();
        assert_eq!(
            a.binary(&b, BinOp::Sub).unwrap().as_slice(),
            &[-9., -8., -17., -16.]
        );
        assert_eq!(
            b.binary(&a, BinOp::Sub).unwrap().as_slice(),
            &[9., 8., 17., 16.]
        );
        assert_eq!(
            a.scalar(2.0, BinOp::Div, true).as_slice(),
            &[2., 1., 2. / 3., 0.5]
        );
        let other = Grid::axis_aligned([2, 1, 1], [2.0; 3], [0.0; 3]);
        let c = Volume::filled(other, 1, 0.0);
        assert!(a
            .binary(&c, BinOp::Add)
            .unwrap_err()
            .to_string()
            .contains("different grids"));
    }
}
