// PyTorch-like printing: "tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]])". Floats use
// 4 decimals, or scientific notation when magnitudes span too much (torch's _tensor_str rules);
// tensors over 1000 elements show the first and last 3 entries of each dim around "...".
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "tensor/tensor.h"

namespace rein {
namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;

struct Format {
  Dtype dtype;
  bool sci = false;
  size_t width = 0;
};

std::string format_value(double v, const Format& f) {
  if (f.dtype == Dtype::Bool) return v != 0 ? "True" : "False";
  if (f.dtype == Dtype::Int64 || f.dtype == Dtype::UInt8)
    return std::to_string(static_cast<int64_t>(v));
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), f.sci ? "%.4e" : "%.4f", v);
  return buf;
}

// Indices shown along a dim of size n (all, or the edges when summarising).
std::vector<int64_t> shown(int64_t n, bool summarize) {
  std::vector<int64_t> idx;
  if (summarize && n > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i) idx.push_back(i);
    idx.push_back(-1);  // "..."
    for (int64_t i = n - kEdgeItems; i < n; ++i) idx.push_back(i);
  } else {
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
  }
  return idx;
}

void collect(const Tensor& t, bool summarize, std::vector<double>& out) {
  if (t.dim() == 0) {
    out.push_back(t.item());
    return;
  }
  for (int64_t i : shown(t.size(0), summarize)) {
    if (i >= 0) collect(t.select(0, i), summarize, out);
  }
}

void render(const Tensor& t, bool summarize, const Format& f, int64_t indent, std::ostream& os) {
  if (t.dim() == 0) {
    std::string s = format_value(t.item(), f);
    if (s.size() < f.width) os << std::string(f.width - s.size(), ' ');
    os << s;
    return;
  }
  os << '[';
  const auto idx = shown(t.size(0), summarize);
  for (size_t k = 0; k < idx.size(); ++k) {
    if (k > 0) {
      os << ',';
      if (t.dim() == 1) {
        os << ' ';
      } else {
        os << std::string(static_cast<size_t>(t.dim() - 1), '\n')
           << std::string(static_cast<size_t>(indent + 1), ' ');
      }
    }
    if (idx[k] < 0) {
      os << "...";
    } else {
      render(t.select(0, idx[k]), summarize, f, indent + 1, os);
    }
  }
  os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  const char* prefix = "tensor(";
  std::string suffix = t.dtype() == Dtype::Float64 ? ", dtype=float64" : "";
  if (t.numel() == 0) {
    os << prefix << "[]";
    if (t.dim() != 1) {
      os << ", size=(";
      for (int64_t d = 0; d < t.dim(); ++d) os << (d > 0 ? ", " : "") << t.size(d);
      os << ')';
    }
    return os << suffix << ')';
  }
  const bool summarize = t.numel() > kSummarizeAbove;
  std::vector<double> values;
  collect(t, summarize, values);
  Format f{t.dtype()};
  if (is_floating(t.dtype())) {
    double lo = INFINITY, hi = 0;
    for (double v : values) {
      if (std::isfinite(v) && v != 0) {
        lo = std::min(lo, std::fabs(v));
        hi = std::max(hi, std::fabs(v));
      }
    }
    f.sci = hi > 0 && (hi >= 1e8 || lo < 1e-4 || hi / lo > 1000);
  }
  for (double v : values) f.width = std::max(f.width, format_value(v, f).size());
  os << prefix;
  render(t, summarize, f, 7, os);
  return os << suffix << ')';
}

std::string to_string(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

}  // namespace rein
