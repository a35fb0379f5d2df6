// matmul family and gemm on Eigen's GEMM. 2-D operands are mapped in place: a row-major
// (stride (s, 1)) or transposed (stride (1, s)) operand is read without a copy; anything else
// is made contiguous first. Eigen runs single-threaded (no OpenMP), so results are deterministic.
#include <Eigen/Core>

#include "tensor/internal/dispatch.h"
#include "tensor/internal/loops.h"
#include "tensor/ops.h"

namespace rein {
namespace {

template <typename T>
using RowMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>,
                          Eigen::Unaligned, Eigen::OuterStride<>>;
template <typename T>
using ColMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>,
                          Eigen::Unaligned, Eigen::OuterStride<>>;
template <typename T>
using OutMap = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>,
                          Eigen::Unaligned, Eigen::OuterStride<>>;

// A 2-D operand as Eigen sees it: pointer, shape, and either row- or column-major layout.
template <typename T>
struct Operand {
  const T* data;
  int64_t rows, cols, ld;
  bool row_major;
};

// Describes a 2-D (rows, cols) view with element strides (rs, cs) for Eigen. Returns false when
// the layout is neither row- nor column-major with non-overlapping lines (e.g. an expanded
// operand with stride 0): the caller then copies it.
template <typename T>
bool as_operand(const T* p, int64_t rows, int64_t cols, int64_t rs, int64_t cs, Operand<T>& op) {
  if ((cs == 1 || cols <= 1) && (rows <= 1 || rs >= std::max<int64_t>(cols, 1))) {
    op = {p, rows, cols, rows <= 1 ? std::max<int64_t>(cols, 1) : rs, true};
    return true;
  }
  if ((rs == 1 || rows <= 1) && (cols <= 1 || cs >= std::max<int64_t>(rows, 1))) {
    op = {p, rows, cols, cols <= 1 ? std::max<int64_t>(rows, 1) : cs, false};
    return true;
  }
  return false;
}

// out(m, n) = beta * out + alpha * A @ B for mapped operands; out is row-major with leading dim
// ldo.
template <typename T>
void gemm_kernel(const Operand<T>& a, const Operand<T>& b, T* out, int64_t ldo, T alpha, T beta) {
  OutMap<T> c(out, a.rows, b.cols, Eigen::OuterStride<>(ldo));
  auto run = [&](const auto& ma, const auto& mb) {
    if (beta == T(0)) {
      c.noalias() = alpha * (ma * mb);
    } else {
      if (beta != T(1)) c *= beta;
      c.noalias() += alpha * (ma * mb);
    }
  };
  if (a.row_major) {
    RowMap<T> ma(a.data, a.rows, a.cols, Eigen::OuterStride<>(a.ld));
    if (b.row_major) {
      run(ma, RowMap<T>(b.data, b.rows, b.cols, Eigen::OuterStride<>(b.ld)));
    } else {
      run(ma, ColMap<T>(b.data, b.rows, b.cols, Eigen::OuterStride<>(b.ld)));
    }
  } else {
    ColMap<T> ma(a.data, a.rows, a.cols, Eigen::OuterStride<>(a.ld));
    if (b.row_major) {
      run(ma, RowMap<T>(b.data, b.rows, b.cols, Eigen::OuterStride<>(b.ld)));
    } else {
      run(ma, ColMap<T>(b.data, b.rows, b.cols, Eigen::OuterStride<>(b.ld)));
    }
  }
}

// The 2-D operand of a (possibly strided) tensor; `keep` holds a contiguous copy when needed.
template <typename T>
Operand<T> operand_of(const Tensor& t, Tensor& keep) {
  Operand<T> op{};
  if (as_operand(t.data<T>(), t.size(0), t.size(1), t.strides()[0], t.strides()[1], op)) {
    return op;
  }
  keep = t.contiguous();
  as_operand(keep.data<T>(), keep.size(0), keep.size(1), keep.strides()[0], keep.strides()[1], op);
  return op;
}

[[noreturn]] void mismatch(const char* op, const Tensor& a, const Tensor& b) {
  throw Error(str(op, ": shapes ", a.shape(), " and ", b.shape(), " cannot be multiplied"));
}

void check_pair(const Tensor& a, const Tensor& b, const char* op) {
  internal::check_same_dtype(a, b, op);
  internal::dispatch_floating(a.dtype(), op, [](auto) {});
}

// 2-D product into a fresh tensor.
Tensor mm_impl(const Tensor& a, const Tensor& b) {
  Tensor out(Shape{a.size(0), b.size(1)}, a.dtype());
  internal::dispatch_floating(a.dtype(), "mm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (out.numel() == 0) return;
    Tensor ka, kb;
    gemm_kernel(operand_of<T>(a, ka), operand_of<T>(b, kb), out.data<T>(), b.size(1), T(1), T(0));
  });
  return out;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "mm");
  if (a.dim() != 2 || b.dim() != 2 || a.size(1) != b.size(0)) mismatch("mm", a, b);
  return mm_impl(a, b);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "bmm");
  if (a.dim() != 3 || b.dim() != 3 || a.size(0) != b.size(0) || a.size(2) != b.size(1)) {
    mismatch("bmm", a, b);
  }
  return matmul(a, b);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "matmul");
  if (a.dim() == 0 || b.dim() == 0) mismatch("matmul", a, b);
  if (a.dim() == 1 && b.dim() == 1) {
    if (a.size(0) != b.size(0)) mismatch("matmul", a, b);
    return dot(a, b);
  }
  // torch.matmul: a 1-D left operand is a row vector, a 1-D right operand a column vector; the
  // added dim is removed from the result.
  const Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
  const Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
  if (a2.size(-1) != b2.size(-2)) mismatch("matmul", a, b);
  const int64_t m = a2.size(-2), k = a2.size(-1), n = b2.size(-1);
  Tensor out;
  if (a2.dim() == 2 && b2.dim() == 2) {
    out = mm_impl(a2, b2);
  } else {
    // Batch dims broadcast; each batch is one 2-D GEMM on a view (no copies of the operands
    // unless a batch's matrix is neither row- nor column-major).
    Shape ab(a2.shape().begin(), a2.shape().end() - 2);
    Shape bb(b2.shape().begin(), b2.shape().end() - 2);
    Shape batch;
    try {
      batch = broadcast_shapes(ab, bb, "matmul");
    } catch (const Error&) {
      mismatch("matmul", a, b);
    }
    Shape a_full = batch, b_full = batch, out_shape = batch;
    a_full.push_back(m);
    a_full.push_back(k);
    b_full.push_back(k);
    b_full.push_back(n);
    out_shape.push_back(m);
    out_shape.push_back(n);
    const Tensor ae = a2.expand(a_full), be = b2.expand(b_full);
    out = Tensor(out_shape, a.dtype());
    const int64_t batches = batch.numel();
    const Shape& as = ae.strides();
    const Shape& bs = be.strides();
    const int64_t nb = batch.size();
    internal::dispatch_floating(a.dtype(), "matmul", [&](auto tag) {
      using T = typename decltype(tag)::type;
      if (out.numel() == 0) return;
      const T* pa = ae.data<T>();
      const T* pb = be.data<T>();
      T* po = out.data<T>();
      for (int64_t i = 0; i < batches; ++i) {
        // Offsets of batch i in each operand (row-major index over the batch dims).
        int64_t rem = i, oa = 0, ob = 0;
        for (int64_t d = nb - 1; d >= 0; --d) {
          const int64_t idx = rem % batch[d];
          rem /= batch[d];
          oa += idx * as[d];
          ob += idx * bs[d];
        }
        Operand<T> opa{}, opb{};
        Tensor ka, kb;
        if (!as_operand(pa + oa, m, k, as[nb], as[nb + 1], opa)) {
          ka = ae.flatten(0, nb - 1).select(0, i).contiguous();
          as_operand(ka.data<T>(), m, k, k, int64_t{1}, opa);
        }
        if (!as_operand(pb + ob, k, n, bs[nb], bs[nb + 1], opb)) {
          kb = be.flatten(0, nb - 1).select(0, i).contiguous();
          as_operand(kb.data<T>(), k, n, n, int64_t{1}, opb);
        }
        gemm_kernel(opa, opb, po + i * m * n, n, T(1), T(0));
      }
    });
  }
  if (a.dim() == 1) out = out.squeeze(-2);
  if (b.dim() == 1) out = out.squeeze(-1);
  return out;
}

Tensor outer(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "outer");
  if (a.dim() != 1 || b.dim() != 1) {
    throw Error(str("outer: expected 1-D tensors, got shapes ", a.shape(), " and ", b.shape()));
  }
  return mul(a.unsqueeze(1), b.unsqueeze(0));
}

Tensor dot(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "dot");
  if (a.dim() != 1 || b.dim() != 1 || a.size(0) != b.size(0)) {
    throw Error(str("dot: expected 1-D tensors of equal length, got shapes ", a.shape(), " and ",
                    b.shape()));
  }
  Tensor out(Shape{}, a.dtype());
  internal::dispatch_floating(a.dtype(), "dot", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* x = a.data<T>();
    const T* y = b.data<T>();
    const int64_t sx = a.strides()[0], sy = b.strides()[0];
    double acc = 0;
    for (int64_t i = 0; i < a.size(0); ++i) acc += double(x[i * sx]) * double(y[i * sy]);
    *out.data<T>() = static_cast<T>(acc);
  });
  return out;
}

void gemm(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& out,
          double alpha, double beta) {
  check_pair(a, b, "gemm");
  internal::check_same_dtype(a, out, "gemm");
  if (a.dim() != 2 || b.dim() != 2) mismatch("gemm", a, b);
  const Tensor ta = transpose_a ? a.t() : a;
  const Tensor tb = transpose_b ? b.t() : b;
  if (ta.size(1) != tb.size(0)) {
    throw Error(str("gemm: shapes ", a.shape(), (transpose_a ? "^T" : ""), " and ", b.shape(),
                    (transpose_b ? "^T" : ""), " cannot be multiplied"));
  }
  const Shape want{ta.size(0), tb.size(1)};
  if (!(out.shape() == want) || !out.is_contiguous()) {
    throw Error(str("gemm: out must be a contiguous tensor of shape ", want, ", got shape ",
                    out.shape(), out.is_contiguous() ? "" : " (non-contiguous)"));
  }
  internal::dispatch_floating(a.dtype(), "gemm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (out.numel() == 0) return;
    if (ta.size(1) == 0) {  // empty inner dim: the product is zero
      if (beta == 0) {
        out.zero_();
      } else {
        out.mul_(beta);
      }
      return;
    }
    Tensor ka, kb;
    gemm_kernel(operand_of<T>(ta, ka), operand_of<T>(tb, kb), out.data<T>(), want[1],
                static_cast<T>(alpha), static_cast<T>(beta));
  });
}

}  // namespace rein
