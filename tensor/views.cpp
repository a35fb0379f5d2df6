// Tensor methods that reshape or re-stride without copying (views), plus reshape's copy
// fallback and repeat. Views share storage with their base (see tensor.h).
#include <optional>

#include "tensor/internal/storage.h"
#include "tensor/internal/strided.h"
#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace rein {

using internal::normalize_dim;
using internal::Storage;

namespace {

// Resolves one -1 in `shape` against numel; throws "op: shape [..] is invalid for input of
// size N" otherwise.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op) {
  Shape out = shape;
  int64_t known = 1;
  int64_t infer = -1;
  for (int64_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      if (infer >= 0) throw Error(str(op, ": only one dimension can be -1, got ", shape));
      infer = d;
    } else if (shape[d] < 0) {
      throw Error(str(op, ": invalid dimension ", shape[d], " in shape ", shape));
    } else {
      known *= shape[d];
    }
  }
  if (infer >= 0 && known != 0 && numel % known == 0) {
    out[infer] = numel / known;
  } else if (infer >= 0 || known != numel) {
    throw Error(str(op, ": shape ", shape, " is invalid for input of size ", numel));
  }
  if (out.numel() != numel) {
    throw Error(str(op, ": shape ", shape, " is invalid for input of size ", numel));
  }
  return out;
}

// Strides that view (shape, strides) as new_shape without a copy, if any exist. Groups the old
// dims into contiguous chunks and splits each chunk among the new dims (PyTorch's rule).
std::optional<Shape> view_strides(const Shape& shape, const Shape& strides,
                                  const Shape& new_shape) {
  Shape out = new_shape;
  if (shape.numel() == 0 || shape.empty()) return internal::contiguous_strides(new_shape);
  int64_t view_d = new_shape.size() - 1;
  int64_t chunk_base = strides.back();
  int64_t tensor_numel = 1;
  int64_t view_numel = 1;
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    tensor_numel *= shape[d];
    if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base;
        view_numel *= new_shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  const Shape new_shape = infer_shape(shape, numel(), "view");
  if (is_contiguous()) {
    return make_tensor(storage_, new_shape, internal::contiguous_strides(new_shape), offset_,
                       dtype_);
  }
  auto strides = view_strides(shape_, strides_, new_shape);
  if (!strides) {
    throw Error(str("view: shape ", new_shape, " is incompatible with the strides of a tensor of ",
                    "shape ", shape_, " (use reshape(), which copies)"));
  }
  return make_tensor(storage_, new_shape, *strides, offset_, dtype_);
}

Tensor Tensor::reshape(const Shape& shape) const {
  const Shape new_shape = infer_shape(shape, numel(), "reshape");
  if (is_contiguous()) return view(new_shape);
  if (auto strides = view_strides(shape_, strides_, new_shape)) {
    return make_tensor(storage_, new_shape, *strides, offset_, dtype_);
  }
  return clone().view(new_shape);
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape(Shape{1});
  const int64_t s = normalize_dim(start_dim, dim(), "flatten");
  const int64_t e = normalize_dim(end_dim, dim(), "flatten");
  if (s > e) throw Error(str("flatten: start_dim ", start_dim, " comes after end_dim ", end_dim));
  Shape out;
  int64_t merged = 1;
  for (int64_t d = 0; d < dim(); ++d) {
    if (d < s || d > e) {
      out.push_back(shape_[d]);
    } else {
      merged *= shape_[d];
      if (d == e) out.push_back(merged);
    }
  }
  return reshape(out);
}

Tensor Tensor::squeeze() const {
  Shape shape, strides;
  for (int64_t d = 0; d < dim(); ++d) {
    if (shape_[d] != 1) {
      shape.push_back(shape_[d]);
      strides.push_back(strides_[d]);
    }
  }
  return make_tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::squeeze(int64_t d) const {
  const int64_t dd = normalize_dim(d, dim(), "squeeze");
  if (dim() == 0 || shape_[dd] != 1) return *this;  // PyTorch: a no-op on a non-1 dim
  Shape shape, strides;
  for (int64_t i = 0; i < dim(); ++i) {
    if (i == dd) continue;
    shape.push_back(shape_[i]);
    strides.push_back(strides_[i]);
  }
  return make_tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::unsqueeze(int64_t d) const {
  const int64_t dd = normalize_dim(d, dim() + 1, "unsqueeze");
  if (dim() >= kMaxDims) {
    throw Error(
        str("unsqueeze: a tensor of rank ", dim(), " is already at the ", kMaxDims, "-dim limit"));
  }
  Shape shape, strides;
  for (int64_t i = 0; i <= dim(); ++i) {
    if (i == dd) {
      shape.push_back(1);
      strides.push_back(i < dim() ? strides_[i] * shape_[i] : 1);
    }
    if (i < dim()) {
      shape.push_back(shape_[i]);
      strides.push_back(strides_[i]);
    }
  }
  return make_tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  if (dim() == 0) {
    normalize_dim(dim0, 0, "transpose");
    normalize_dim(dim1, 0, "transpose");
    return *this;
  }
  const int64_t a = normalize_dim(dim0, dim(), "transpose");
  const int64_t b = normalize_dim(dim1, dim(), "transpose");
  Shape shape = shape_, strides = strides_;
  std::swap(shape[a], shape[b]);
  std::swap(strides[a], strides[b]);
  return make_tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::t() const {
  if (dim() > 2) throw Error(str("t: expected a tensor of rank <= 2, got shape ", shape_));
  return dim() < 2 ? *this : transpose(0, 1);
}

Tensor Tensor::permute(const Shape& dims) const {
  if (dims.size() != dim()) {
    throw Error(str("permute: dims ", dims, " do not match a tensor of shape ", shape_));
  }
  Shape shape, strides;
  std::array<bool, kMaxDims> seen{};
  for (int64_t i = 0; i < dims.size(); ++i) {
    const int64_t d = normalize_dim(dims[i], dim(), "permute");
    if (seen[d]) throw Error(str("permute: dims ", dims, " repeat dim ", d));
    seen[d] = true;
    shape.push_back(shape_[d]);
    strides.push_back(strides_[d]);
  }
  return make_tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  const int64_t dd = normalize_dim(d, dim(), "narrow");
  if (dim() == 0) throw Error("narrow: cannot narrow a rank-0 tensor");
  const int64_t s = start < 0 ? start + shape_[dd] : start;
  if (s < 0 || length < 0 || s + length > shape_[dd]) {
    throw Error(str("narrow: start ", start, " and length ", length, " out of range for dim ", dd,
                    " of shape ", shape_));
  }
  Shape shape = shape_;
  shape[dd] = length;
  return make_tensor(storage_, shape, strides_, offset_ + s * strides_[dd], dtype_);
}

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  const int64_t dd = normalize_dim(d, dim(), "slice");
  if (dim() == 0) throw Error("slice: cannot slice a rank-0 tensor");
  if (step <= 0) throw Error(str("slice: step must be positive, got ", step));
  const int64_t n = shape_[dd];
  // Python slice semantics: negative bounds count from the end, then clamp to [0, n].
  int64_t s = start < 0 ? start + n : start;
  int64_t e = end < 0 ? end + n : end;
  s = s < 0 ? 0 : (s > n ? n : s);
  e = e < s ? s : (e > n ? n : e);
  Shape shape = shape_, strides = strides_;
  shape[dd] = (e - s + step - 1) / step;
  strides[dd] = strides_[dd] * step;
  return make_tensor(storage_, shape, strides, offset_ + s * strides_[dd], dtype_);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  if (dim() == 0) throw Error("select: cannot select from a rank-0 tensor");
  const int64_t dd = normalize_dim(d, dim(), "select");
  if (index < -shape_[dd] || index >= shape_[dd]) {
    throw Error(str("select: index ", index, " out of range for dim ", dd, " of shape ", shape_));
  }
  const int64_t i = index < 0 ? index + shape_[dd] : index;
  Shape shape, strides;
  for (int64_t k = 0; k < dim(); ++k) {
    if (k == dd) continue;
    shape.push_back(shape_[k]);
    strides.push_back(strides_[k]);
  }
  return make_tensor(storage_, shape, strides, offset_ + i * strides_[dd], dtype_);
}

Tensor Tensor::expand(const Shape& shape) const {
  if (shape.size() < dim()) {
    throw Error(str("expand: shape ", shape_, " cannot be expanded to ", shape, " (fewer dims)"));
  }
  Shape out_shape = shape, strides = shape;
  const int64_t lead = shape.size() - dim();
  for (int64_t d = 0; d < shape.size(); ++d) {
    const int64_t td = d - lead;
    if (td < 0) {
      if (shape[d] < 0) {
        throw Error(str("expand: -1 is not allowed for new leading dims, got ", shape));
      }
      strides[d] = 0;
      continue;
    }
    const int64_t want = shape[d] == -1 ? shape_[td] : shape[d];
    if (want == shape_[td]) {
      strides[d] = strides_[td];
    } else if (shape_[td] == 1 && want >= 0) {
      strides[d] = 0;
    } else {
      throw Error(str("expand: shape ", shape_, " cannot be expanded to ", shape));
    }
    out_shape[d] = want;
  }
  return make_tensor(storage_, out_shape, strides, offset_, dtype_);
}

Tensor Tensor::repeat(const Shape& repeats) const {
  if (repeats.size() < dim()) {
    throw Error(str("repeat: ", repeats.size(), " repeats given for a tensor of shape ", shape_,
                    " (need at least ", dim(), ")"));
  }
  // Tile one dim at a time: each step copies the current block r times along that dim.
  Tensor cur = *this;
  while (cur.dim() < repeats.size()) cur = cur.unsqueeze(0);
  for (int64_t r : repeats) {
    if (r < 0) throw Error(str("repeat: negative repeat count in ", repeats));
  }
  for (int64_t d = 0; d < repeats.size(); ++d) {
    if (repeats[d] == 1) continue;
    Shape shape = cur.shape();
    const int64_t size = shape[d];
    shape[d] = size * repeats[d];
    Tensor next(shape, dtype_);
    for (int64_t k = 0; k < repeats[d]; ++k) next.narrow(d, k * size, size).copy_(cur);
    cur = next;
  }
  return cur.shares_storage(*this) ? cur.clone() : cur;
}

}  // namespace rein
