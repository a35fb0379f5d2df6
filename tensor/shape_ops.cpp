// Free-function spellings of the view methods, and the multi-tensor shape ops: cat, stack,
// split, chunk.
#include "tensor/internal/strided.h"
#include "tensor/ops.h"

namespace rein {

Tensor reshape(const Tensor& a, const Shape& shape) { return a.reshape(shape); }
Tensor flatten(const Tensor& a, int64_t start_dim, int64_t end_dim) {
  return a.flatten(start_dim, end_dim);
}
Tensor squeeze(const Tensor& a, int64_t dim) { return a.squeeze(dim); }
Tensor unsqueeze(const Tensor& a, int64_t dim) { return a.unsqueeze(dim); }
Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1) { return a.transpose(dim0, dim1); }
Tensor permute(const Tensor& a, const Shape& dims) { return a.permute(dims); }
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length) {
  return a.narrow(dim, start, length);
}
Tensor expand(const Tensor& a, const Shape& shape) { return a.expand(shape); }

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) throw Error("cat: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  for (const Tensor& t : tensors) {
    if (!t.defined()) throw Error("cat: tensor is undefined");
  }
  if (first.dim() == 0) throw Error("cat: zero-dimensional tensors cannot be concatenated");
  const int64_t d = internal::normalize_dim(dim, first.dim(), "cat");
  Shape shape = first.shape();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    bool ok = t.dim() == first.dim() && t.dtype() == first.dtype();
    for (int64_t k = 0; ok && k < t.dim(); ++k) ok = k == d || t.size(k) == first.size(k);
    if (!ok) {
      throw Error(str("cat: tensor ", i, " has shape ", t.shape(), " and dtype ",
                      dtype_name(t.dtype()), ", expected ", first.shape(), " (",
                      dtype_name(first.dtype()), ") except in dim ", d));
    }
    total += t.size(d);
  }
  shape[d] = total;
  Tensor out(shape, first.dtype());
  int64_t at = 0;
  for (const Tensor& t : tensors) {
    out.narrow(d, at, t.size(d)).copy_(t);
    at += t.size(d);
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) throw Error("stack: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  if (!first.defined()) throw Error("stack: tensor is undefined");
  const int64_t d = internal::normalize_dim(dim, first.dim() + 1, "stack");
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (!t.defined() || !(t.shape() == first.shape()) || t.dtype() != first.dtype()) {
      throw Error(str("stack: tensor ", i, " has shape ", t.shape(), ", expected ", first.shape(),
                      " like tensor 0 (all shapes and dtypes must match)"));
    }
    parts.push_back(t.unsqueeze(d));
  }
  return cat(parts, d);
}

std::vector<Tensor> split(const Tensor& a, int64_t split_size, int64_t dim) {
  if (a.dim() == 0) throw Error("split: cannot split a rank-0 tensor");
  const int64_t d = internal::normalize_dim(dim, a.dim(), "split");
  if (split_size <= 0) throw Error(str("split: split_size must be positive, got ", split_size));
  std::vector<Tensor> parts;
  const int64_t n = a.size(d);
  for (int64_t at = 0; at < n; at += split_size) {
    parts.push_back(a.narrow(d, at, std::min(split_size, n - at)));
  }
  if (parts.empty()) parts.push_back(a);  // torch.split of an empty dim returns one empty part
  return parts;
}

std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim) {
  if (chunks <= 0) throw Error(str("chunk: chunks must be positive, got ", chunks));
  if (a.dim() == 0) throw Error("chunk: cannot chunk a rank-0 tensor");
  const int64_t d = internal::normalize_dim(dim, a.dim(), "chunk");
  // torch.chunk: parts of ceil(n / chunks), possibly fewer than `chunks` of them.
  const int64_t size = (a.size(d) + chunks - 1) / chunks;
  return split(a, std::max<int64_t>(size, 1), d);
}

}  // namespace rein
