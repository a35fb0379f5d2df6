// Differentiable shape ops and views (the gradient is routed back into the viewed positions),
// cat/stack/split, and indexing (gather, index_select).
#include <numeric>

#include "autograd/internal/node.h"
#include "autograd/ops.h"

namespace rein {

using internal::accumulate_grad;
using internal::make_constant;
using internal::make_result;
using internal::needs_grad;
using internal::should_record;
using internal::VarImpl;

namespace {

int64_t wrap(int64_t dim, int64_t rank) { return dim < 0 ? dim + rank : dim; }

Var record(const Var& a, Tensor out, const char* op, internal::BackwardFn fn) {
  if (!should_record(a)) return make_constant(std::move(out));
  return make_result(std::move(out), op, fn, a);
}

void reshape_backward(VarImpl& s) {
  VarImpl* in = s.input(0);
  accumulate_grad(in, s.grad.reshape(in->value.shape()), false);
}
void transpose_backward(VarImpl& s) {  // i0, i1 = dims
  accumulate_grad(s.input(0), s.grad.transpose(s.i0, s.i1), false);
}
void permute_backward(VarImpl& s) {  // shape0 = inverse permutation
  accumulate_grad(s.input(0), s.grad.permute(s.shape0), false);
}
void expand_backward(VarImpl& s) {
  VarImpl* in = s.input(0);
  accumulate_grad(in, sum_to(s.grad, in->value.shape()), true);
}
// slice/narrow/select: zeros of the input's shape with the gradient copied into the view.
// i0 = dim, i1 = start, shape0 = {end, step}, s0 = 1 for select.
void slice_backward(VarImpl& s) {
  VarImpl* in = s.input(0);
  Tensor g = zeros_like(in->value);
  if (s.s0 != 0.0) {
    g.select(s.i0, s.i1).copy_(s.grad);
  } else {
    g.slice(s.i0, s.i1, s.shape0[0], s.shape0[1]).copy_(s.grad);
  }
  accumulate_grad(in, std::move(g), true);
}
void cat_backward(VarImpl& s) {  // i0 = dim, saved0 = int64 sizes along dim
  const int64_t* sizes = s.saved0.data<int64_t>();
  int64_t start = 0;
  const size_t n = static_cast<size_t>(s.saved0.numel());  // inputs used (may be < 3)
  for (size_t i = 0; i < n; ++i) {
    const int64_t len = sizes[i];
    VarImpl* in = s.input(i);
    if (needs_grad(in)) accumulate_grad(in, s.grad.narrow(s.i0, start, len), false);
    start += len;
  }
}
void gather_backward(VarImpl& s) {  // saved0 = index, i0 = dim
  VarImpl* in = s.input(0);
  accumulate_grad(in, scatter_add(zeros_like(in->value), s.i0, s.saved0, s.grad.contiguous()),
                  true);
}
void index_select_backward(VarImpl& s) {  // saved0 = index (1-D), i0 = dim
  VarImpl* in = s.input(0);
  Tensor g = zeros_like(in->value);
  const Tensor idx = s.saved0.contiguous();
  const int64_t* p = idx.data<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i) g.select(s.i0, p[i]).add_(s.grad.select(s.i0, i));
  accumulate_grad(in, std::move(g), true);
}

}  // namespace

Var reshape(const Var& a, const Shape& shape) {
  return record(a, a.value().reshape(shape), "reshape", reshape_backward);
}
Var flatten(const Var& a, int64_t start_dim, int64_t end_dim) {
  return record(a, a.value().flatten(start_dim, end_dim), "flatten", reshape_backward);
}
Var squeeze(const Var& a, int64_t dim) {
  return record(a, a.value().squeeze(dim), "squeeze", reshape_backward);
}
Var unsqueeze(const Var& a, int64_t dim) {
  return record(a, a.value().unsqueeze(dim), "unsqueeze", reshape_backward);
}
Var transpose(const Var& a, int64_t dim0, int64_t dim1) {
  Var r = record(a, a.value().transpose(dim0, dim1), "transpose", transpose_backward);
  if (r.impl()->backward) {
    r.impl()->i0 = dim0;
    r.impl()->i1 = dim1;
  }
  return r;
}
Var permute(const Var& a, const Shape& dims) {
  Var r = record(a, a.value().permute(dims), "permute", permute_backward);
  if (r.impl()->backward) {
    Shape inverse = dims;
    for (int64_t i = 0; i < dims.size(); ++i) inverse[wrap(dims[i], dims.size())] = i;
    r.impl()->shape0 = inverse;
  }
  return r;
}
Var slice(const Var& a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  Tensor out = a.value().slice(dim, start, end, step);
  Var r = record(a, std::move(out), "slice", slice_backward);
  if (r.impl()->backward) {
    r.impl()->i0 = dim;
    r.impl()->i1 = start;
    r.impl()->shape0 = Shape{end, step};
  }
  return r;
}
Var narrow(const Var& a, int64_t dim, int64_t start, int64_t length) {
  const int64_t d = wrap(dim, a.dim());
  const int64_t s = start < 0 && d < a.dim() ? start + a.size(d) : start;
  Tensor out = a.value().narrow(dim, start, length);
  Var r = record(a, std::move(out), "narrow", slice_backward);
  if (r.impl()->backward) {
    r.impl()->i0 = d;
    r.impl()->i1 = s;
    r.impl()->shape0 = Shape{s + length, 1};
  }
  return r;
}
Var select(const Var& a, int64_t dim, int64_t index) {
  Tensor out = a.value().select(dim, index);
  Var r = record(a, std::move(out), "select", slice_backward);
  if (r.impl()->backward) {
    const int64_t d = wrap(dim, a.dim());
    r.impl()->i0 = d;
    r.impl()->i1 = index < 0 ? index + a.size(d) : index;
    r.impl()->s0 = 1.0;
  }
  return r;
}
Var expand(const Var& a, const Shape& shape) {
  return record(a, a.value().expand(shape), "expand", expand_backward);
}

Var cat(const std::vector<Var>& vars, int64_t dim) {
  std::vector<Tensor> values;
  values.reserve(vars.size());
  bool record_it = false;
  for (const Var& v : vars) {
    values.push_back(v.value());
    record_it |= should_record(v);
  }
  Tensor out = cat(values, dim);
  if (!record_it) return make_constant(std::move(out));
  const int64_t d = wrap(dim, vars.front().dim());
  Var r = make_result(std::move(out), "cat", cat_backward, vars[0],
                      vars.size() > 1 ? vars[1] : Var(), vars.size() > 2 ? vars[2] : Var());
  VarImpl* impl = r.impl();
  Tensor sizes({static_cast<int64_t>(vars.size())}, Dtype::Int64);
  for (size_t i = 0; i < vars.size(); ++i) {
    sizes.data<int64_t>()[i] = vars[i].size(d);
    if (i >= 3) impl->more_inputs.push_back(vars[i].requires_grad() ? vars[i].impl_ptr() : nullptr);
  }
  for (size_t i = vars.size(); i < 3; ++i) impl->inputs[i].reset();
  impl->saved0 = std::move(sizes);
  impl->i0 = d;
  return r;
}

Var stack(const std::vector<Var>& vars, int64_t dim) {
  if (vars.empty()) throw Error("stack: expected a non-empty list of Vars");
  const int64_t d = dim < 0 ? dim + vars.front().dim() + 1 : dim;
  std::vector<Var> parts;
  parts.reserve(vars.size());
  for (const Var& v : vars) {
    if (!(v.shape() == vars.front().shape())) {
      throw Error(str("stack: expects each Var to be of equal shape, got ", vars.front().shape(),
                      " and ", v.shape()));
    }
    parts.push_back(unsqueeze(v, d));
  }
  return cat(parts, d);
}

std::vector<Var> split(const Var& a, int64_t split_size, int64_t dim) {
  if (split_size <= 0) throw Error(str("split: split_size must be positive, got ", split_size));
  const int64_t d = wrap(dim, a.dim());
  std::vector<Var> out;
  for (int64_t start = 0; start < a.size(d); start += split_size) {
    out.push_back(narrow(a, d, start, std::min(split_size, a.size(d) - start)));
  }
  return out;
}
std::vector<Var> chunk(const Var& a, int64_t chunks, int64_t dim) {
  if (chunks <= 0) throw Error(str("chunk: chunks must be positive, got ", chunks));
  const int64_t d = wrap(dim, a.dim());
  return split(a, (a.size(d) + chunks - 1) / chunks, d);
}

Var gather(const Var& a, int64_t dim, const Tensor& index) {
  Var r = record(a, gather(a.value(), dim, index), "gather", gather_backward);
  if (r.impl()->backward) {
    r.impl()->saved0 = index;
    r.impl()->i0 = wrap(dim, a.dim());
  }
  return r;
}
Var index_select(const Var& a, int64_t dim, const Tensor& index) {
  Var r = record(a, index_select(a.value(), dim, index), "index_select", index_select_backward);
  if (r.impl()->backward) {
    r.impl()->saved0 = index;
    r.impl()->i0 = wrap(dim, a.dim());
  }
  return r;
}

}  // namespace rein
