//! Meta tensors: a shape (each dimension known or not), strides when known, and a dtype.
//! The shape rules and error texts follow PyTorch (`infer_size`, `computeStride`, `matmul`).

use std::cell::Cell;

/// One dimension: `Some(n)` when known, `None` when opaque.
pub type Dim = Option<i64>;

/// Tensor element types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    F32,
    F64,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
    C64,
}

impl DType {
    /// Name as in `torch.<name>`.
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::I64 => "int64",
            DType::I32 => "int32",
            DType::I16 => "int16",
            DType::I8 => "int8",
            DType::U8 => "uint8",
            DType::Bool => "bool",
            DType::C64 => "complex64",
        }
    }
    /// Legacy scalar type name (`Float`, `Long`) used in some messages.
    pub fn scalar_name(self) -> &'static str {
        match self {
            DType::F32 => "Float",
            DType::F64 => "Double",
            DType::F16 => "Half",
            DType::BF16 => "BFloat16",
            DType::I64 => "Long",
            DType::I32 => "Int",
            DType::I16 => "Short",
            DType::I8 => "Char",
            DType::U8 => "Byte",
            DType::Bool => "Bool",
            DType::C64 => "ComplexFloat",
        }
    }
    /// Parse `float32`, `float`, `long`, … (the attribute names of `torch`).
    pub fn from_name(s: &str) -> Option<DType> {
        Some(match s {
            "float32" | "float" => DType::F32,
            "float64" | "double" => DType::F64,
            "float16" | "half" => DType::F16,
            "bfloat16" => DType::BF16,
            "int64" | "long" => DType::I64,
            "int32" | "int" => DType::I32,
            "int16" | "short" => DType::I16,
            "int8" => DType::I8,
            "uint8" => DType::U8,
            "bool" => DType::Bool,
            "complex64" | "cfloat" => DType::C64,
            _ => return None,
        })
    }
    pub fn is_float(self) -> bool {
        matches!(
            self,
            DType::F32 | DType::F64 | DType::F16 | DType::BF16 | DType::C64
        )
    }
    fn rank(self) -> u8 {
        match self {
            DType::Bool => 0,
            DType::U8 => 1,
            DType::I8 => 2,
            DType::I16 => 3,
            DType::I32 => 4,
            DType::I64 => 5,
            DType::F16 => 6,
            DType::BF16 => 7,
            DType::F32 => 8,
            DType::F64 => 9,
            DType::C64 => 10,
        }
    }
    /// Result type of a binary op between two tensors.
    pub fn promote(a: DType, b: DType) -> DType {
        if a.rank() >= b.rank() {
            a
        } else {
            b
        }
    }
}

/// A tensor without data.
#[derive(Debug)]
pub struct Tensor {
    pub shape: Vec<Dim>,
    /// Strides in elements, when every dimension is known.
    pub strides: Option<Vec<i64>>,
    pub dtype: DType,
    pub requires_grad: Cell<bool>,
    /// An `nn.Parameter`.
    pub is_param: bool,
    /// Created by a factory (`torch.randn`, `nn.Parameter`, …) rather than by an operation.
    pub leaf: bool,
}

impl Tensor {
    /// A contiguous tensor of the given shape.
    pub fn new(shape: Vec<Dim>, dtype: DType) -> Tensor {
        // A negative size can only come from a rule that should have raised: treat it as
        // unknown rather than compute with it.
        let shape: Vec<Dim> = shape.into_iter().map(|d| d.filter(|v| *v >= 0)).collect();
        let strides = contiguous_strides(&shape);
        Tensor {
            shape,
            strides,
            dtype,
            requires_grad: Cell::new(false),
            is_param: false,
            leaf: false,
        }
    }
    /// A float32 tensor of a fully known shape.
    pub fn known(shape: &[i64]) -> Tensor {
        Tensor::new(shape.iter().map(|&d| Some(d)).collect(), DType::F32)
    }
    /// A parameter (requires grad) of the given shape.
    pub fn param(shape: Vec<Dim>) -> Tensor {
        let mut t = Tensor::new(shape, DType::F32);
        t.is_param = true;
        t.leaf = true;
        t.requires_grad.set(true);
        t
    }
    /// Same metadata, new shape, contiguous.
    pub fn with_shape(&self, shape: Vec<Dim>) -> Tensor {
        let t = Tensor::new(shape, self.dtype);
        t.requires_grad.set(self.requires_grad.get());
        t
    }
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    pub fn numel(&self) -> Option<i64> {
        numel(&self.shape)
    }
    pub fn is_contiguous(&self) -> bool {
        match (&self.strides, contiguous_strides(&self.shape)) {
            (Some(s), Some(c)) => {
                // Size-1 dimensions may have any stride.
                s.iter()
                    .zip(c.iter())
                    .zip(self.shape.iter())
                    .all(|((a, b), d)| a == b || *d == Some(1))
            }
            _ => true,
        }
    }
}

/// Product of known dims; `None` if any is unknown or it overflows.
pub fn numel(shape: &[Dim]) -> Option<i64> {
    let mut p: i64 = 1;
    for d in shape {
        p = p.checked_mul((*d)?)?;
    }
    Some(p)
}

/// Row-major strides for a shape (when all dims are known).
pub fn contiguous_strides(shape: &[Dim]) -> Option<Vec<i64>> {
    let mut st = vec![0i64; shape.len()];
    let mut acc: i64 = 1;
    for i in (0..shape.len()).rev() {
        st[i] = acc;
        acc = acc.checked_mul(shape[i]?.max(1))?;
    }
    Some(st)
}

fn fmt_dim(d: Dim) -> String {
    match d {
        Some(n) => n.to_string(),
        None => "?".into(),
    }
}

/// `[2, 64, 16, 16]` (PyTorch's `IntArrayRef` printing).
pub fn fmt_shape(shape: &[Dim]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| fmt_dim(*d)).collect();
    format!("[{}]", parts.join(", "))
}

/// `torch.Size([1, 256])`.
pub fn fmt_size(shape: &[Dim]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| fmt_dim(*d)).collect();
    format!("torch.Size([{}])", parts.join(", "))
}

/// `512x1x1` style (pooling messages).
pub fn fmt_x(shape: &[Dim]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| fmt_dim(*d)).collect();
    parts.join("x")
}

/// Broadcast two shapes (`at::infer_size`). The error text is PyTorch's.
pub fn broadcast(a: &[Dim], b: &[Dim]) -> Result<Vec<Dim>, String> {
    let ndim = a.len().max(b.len());
    let mut out = vec![Some(1); ndim];
    for i in (0..ndim).rev() {
        let offset = ndim - 1 - i;
        let sa = if offset < a.len() {
            a[a.len() - 1 - offset]
        } else {
            Some(1)
        };
        let sb = if offset < b.len() {
            b[b.len() - 1 - offset]
        } else {
            Some(1)
        };
        out[i] = match (sa, sb) {
            (Some(x), Some(y)) => {
                if x == y || y == 1 {
                    Some(x)
                } else if x == 1 {
                    Some(y)
                } else {
                    return Err(format!(
                        "The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {i}"
                    ));
                }
            }
            (Some(1), o) | (o, Some(1)) => o,
            _ => None,
        };
    }
    Ok(out)
}

/// Wrap a possibly negative dim index (`maybe_wrap_dim`), with PyTorch's `IndexError` text.
pub fn wrap_dim(d: i64, ndim: usize) -> Result<usize, String> {
    let n = (ndim as i64).max(1);
    if d < -n || d >= n {
        return Err(format!(
            "Dimension out of range (expected to be in range of [{}, {}], but got {d})",
            -n,
            n - 1
        ));
    }
    Ok(if d < 0 { (d + n) as usize } else { d as usize })
}

/// Resolve a `view`/`reshape` request (`infer_size`). `req` entries: known ints (with at most
/// one -1) or unknown.
pub fn infer_view(numel: Option<i64>, req: &[Option<i64>]) -> Result<Vec<Dim>, String> {
    let shape_str = || {
        let parts: Vec<String> = req.iter().map(|d| fmt_dim(*d)).collect();
        format!("[{}]", parts.join(", "))
    };
    let mut infer: Option<usize> = None;
    let mut newsize: Option<i64> = Some(1);
    for (i, d) in req.iter().enumerate() {
        match d {
            Some(-1) => {
                if infer.is_some() {
                    return Err("only one dimension can be inferred".into());
                }
                infer = Some(i);
            }
            Some(n) if *n < 0 => return Err(format!("invalid shape dimension {n}")),
            Some(n) => newsize = newsize.and_then(|s| s.checked_mul(*n)),
            None => newsize = None,
        }
    }
    let mut out: Vec<Dim> = req.to_vec();
    match (numel, newsize) {
        (Some(numel), Some(newsize)) => {
            let ok = numel == newsize || (infer.is_some() && newsize > 0 && numel % newsize == 0);
            if !ok {
                return Err(format!(
                    "shape '{}' is invalid for input of size {numel}",
                    shape_str()
                ));
            }
            if let Some(i) = infer {
                if newsize == 0 {
                    return Err(format!(
                        "cannot reshape tensor of 0 elements into shape {} because the unspecified dimension size -1 can be any value and is ambiguous",
                        shape_str()
                    ));
                }
                out[i] = Some(numel / newsize);
            }
        }
        _ => {
            if let Some(i) = infer {
                out[i] = None;
            }
        }
    }
    Ok(out)
}

/// PyTorch's `computeStride`: strides for viewing (shape, strides) as `newshape`, or `None`
/// when the view is impossible without a copy.
pub fn compute_stride(oldshape: &[i64], oldstride: &[i64], newshape: &[i64]) -> Option<Vec<i64>> {
    if oldshape.is_empty() {
        return Some(vec![1; newshape.len()]);
    }
    let numel: i64 = oldshape.iter().product();
    if numel == 0 {
        return contiguous_strides(&newshape.iter().map(|&d| Some(d)).collect::<Vec<_>>());
    }
    let mut newstride = vec![0i64; newshape.len()];
    let mut view_d = newshape.len() as i64 - 1;
    let mut chunk_base_stride = *oldstride.last()?;
    let mut tensor_numel: i64 = 1;
    let mut view_numel: i64 = 1;
    let mut tensor_d = oldshape.len() as i64 - 1;
    while tensor_d >= 0 {
        let td = tensor_d as usize;
        tensor_numel = tensor_numel.checked_mul(oldshape[td])?;
        if tensor_d == 0
            || (oldshape[td - 1] != 1
                && Some(oldstride[td - 1]) != tensor_numel.checked_mul(chunk_base_stride))
        {
            while view_d >= 0 && (view_numel < tensor_numel || newshape[view_d as usize] == 1) {
                let vd = view_d as usize;
                newstride[vd] = view_numel.checked_mul(chunk_base_stride)?;
                view_numel = view_numel.checked_mul(newshape[vd])?;
                view_d -= 1;
            }
            if view_numel != tensor_numel {
                return None;
            }
            if tensor_d > 0 {
                chunk_base_stride = oldstride[td - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
        tensor_d -= 1;
    }
    if view_d != -1 {
        return None;
    }
    Some(newstride)
}

/// Output length of a conv/pool window along one axis (floor or ceil mode, PyTorch's
/// `pooling_output_shape`). `None` on overflow.
pub fn window_out(
    input: i64,
    kernel: i64,
    pad_l: i64,
    pad_r: i64,
    stride: i64,
    dilation: i64,
    ceil_mode: bool,
) -> Option<i64> {
    let eff = dilation.checked_mul(kernel.checked_sub(1)?)?;
    let mut num = input
        .checked_add(pad_l)?
        .checked_add(pad_r)?
        .checked_sub(eff)?
        .checked_sub(1)?;
    if ceil_mode {
        num = num.checked_add(stride.checked_sub(1)?)?;
    }
    let mut out = num.div_euclid(stride).checked_add(1)?;
    if ceil_mode && (out - 1).checked_mul(stride)? >= input.checked_add(pad_l)? {
        out -= 1;
    }
    Some(out)
}

/// `torch.matmul` shape rules and messages. Returns the output shape.
pub fn matmul_shape(a: &[Dim], b: &[Dim]) -> Result<Vec<Dim>, String> {
    let mm_err = |r1: Dim, c1: Dim, r2: Dim, c2: Dim| {
        format!(
            "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
            fmt_dim(r1),
            fmt_dim(c1),
            fmt_dim(r2),
            fmt_dim(c2)
        )
    };
    let mismatch = |x: Dim, y: Dim| matches!((x, y), (Some(p), Some(q)) if p != q);
    match (a.len(), b.len()) {
        (0, _) | (_, 0) => Err(format!(
            "both arguments to matmul need to be at least 1D, but they are {}D and {}D",
            a.len(),
            b.len()
        )),
        (1, 1) => {
            if mismatch(a[0], b[0]) {
                Err(format!(
                    "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
                    fmt_dim(a[0]),
                    fmt_dim(b[0]),
                    fmt_dim(a[0]),
                    fmt_dim(b[0])
                ))
            } else {
                Ok(vec![])
            }
        }
        (2, 1) => {
            if mismatch(a[1], b[0]) {
                Err(format!(
                    "size mismatch, got input ({}), mat ({}x{}), vec ({})",
                    fmt_dim(a[0]),
                    fmt_dim(a[0]),
                    fmt_dim(a[1]),
                    fmt_dim(b[0])
                ))
            } else {
                Ok(vec![a[0]])
            }
        }
        (1, 2) => {
            if mismatch(a[0], b[0]) {
                Err(mm_err(Some(1), a[0], b[0], b[1]))
            } else {
                Ok(vec![b[1]])
            }
        }
        (2, 2) => {
            if mismatch(a[1], b[0]) {
                Err(mm_err(a[0], a[1], b[0], b[1]))
            } else {
                Ok(vec![a[0], b[1]])
            }
        }
        (n, 1) | (n, 2) if n >= 3 => {
            // Fold the batch dims of `a` into its rows.
            let rows = numel(&a[..n - 1]);
            let k = a[n - 1];
            if mismatch(k, b[0]) {
                let c2 = if b.len() == 2 { b[1] } else { Some(1) };
                return Err(mm_err(rows, k, b[0], c2));
            }
            let mut out = a[..n - 1].to_vec();
            if b.len() == 2 {
                out.push(b[1]);
            }
            Ok(out)
        }
        _ => {
            // Batched: broadcast batch dims, then bmm.
            let (a2, a_vec) = if a.len() == 1 {
                (vec![Some(1), a[0]], true)
            } else {
                (a.to_vec(), false)
            };
            let (b2, b_vec) = if b.len() == 1 {
                (vec![b[0], Some(1)], true)
            } else {
                (b.to_vec(), false)
            };
            let (n, m) = (a2[a2.len() - 2], a2[a2.len() - 1]);
            let (m2, p) = (b2[b2.len() - 2], b2[b2.len() - 1]);
            let batch_a = &a2[..a2.len() - 2];
            let batch_b = &b2[..b2.len() - 2];
            let batch = broadcast(batch_a, batch_b)?;
            if mismatch(m, m2) {
                let bsz = numel(&batch);
                return Err(format!(
                    "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
                    fmt_dim(bsz),
                    fmt_dim(m),
                    fmt_dim(bsz),
                    fmt_dim(m2)
                ));
            }
            let mut out = batch;
            if !a_vec {
                out.push(n);
            }
            if !b_vec {
                out.push(p);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(v: &[i64]) -> Vec<Dim> {
        v.iter().map(|&d| Some(d)).collect()
    }

    #[test]
    fn broadcast_reports_last_mismatching_dim() {
        assert_eq!(
            broadcast(&k(&[2, 64, 16, 16]), &k(&[2, 32, 16, 16])).unwrap_err(),
            "The size of tensor a (64) must match the size of tensor b (32) at non-singleton dimension 1"
        );
        assert_eq!(
            broadcast(&k(&[2, 64, 16, 16]), &k(&[2, 64, 32, 32])).unwrap_err(),
            "The size of tensor a (16) must match the size of tensor b (32) at non-singleton dimension 3"
        );
        assert_eq!(broadcast(&k(&[3, 1]), &k(&[4])).unwrap(), k(&[3, 4]));
    }

    #[test]
    fn view_inference_and_errors() {
        assert_eq!(
            infer_view(Some(1024), &[Some(2), Some(-1)]).unwrap(),
            k(&[2, 512])
        );
        assert_eq!(
            infer_view(Some(1024), &[Some(2), Some(25088)]).unwrap_err(),
            "shape '[2, 25088]' is invalid for input of size 1024"
        );
        assert_eq!(
            infer_view(Some(6), &[Some(-1), Some(-1)]).unwrap_err(),
            "only one dimension can be inferred"
        );
    }

    #[test]
    fn strides_of_transposed_view() {
        // [2,3] transposed to [3,2] with strides [1,3]: viewing as [6] is impossible.
        assert!(compute_stride(&[3, 2], &[1, 3], &[6]).is_none());
        assert_eq!(compute_stride(&[2, 3], &[3, 1], &[6]).unwrap(), vec![1]);
        assert_eq!(
            compute_stride(&[2, 3, 4], &[12, 4, 1], &[2, 12]).unwrap(),
            vec![12, 1]
        );
    }

    #[test]
    fn window_sizes() {
        assert_eq!(window_out(224, 7, 3, 3, 2, 1, false), Some(112));
        assert_eq!(window_out(112, 3, 1, 1, 2, 1, false), Some(56));
        assert_eq!(window_out(1, 2, 0, 0, 2, 1, false), Some(0));
        assert_eq!(window_out(5, 2, 0, 0, 2, 1, true), Some(3));
    }

    #[test]
    fn matmul_messages() {
        assert_eq!(
            matmul_shape(&k(&[12, 2048]), &k(&[512, 1000])).unwrap_err(),
            "mat1 and mat2 shapes cannot be multiplied (12x2048 and 512x1000)"
        );
        assert_eq!(
            matmul_shape(&k(&[2, 512, 1, 1]), &k(&[512, 1000])).unwrap_err(),
            "mat1 and mat2 shapes cannot be multiplied (1024x1 and 512x1000)"
        );
        assert_eq!(
            matmul_shape(&k(&[4, 5, 6]), &k(&[4, 6, 7])).unwrap(),
            k(&[4, 5, 7])
        );
    }
}
