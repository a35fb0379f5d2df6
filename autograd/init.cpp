// nn::init: parameter initialisers drawing from an explicit Generator (torch.nn.init formulas).
#include "autograd/init.h"

#include <Eigen/Core>
#include <Eigen/QR>
#include <cmath>
#include <cstring>
#include <vector>

#include "tensor/ops.h"

namespace rein::nn::init {
namespace {

Tensor checked(const Var& param, const char* op) {
  if (!param.defined()) throw Error(str(op, ": the parameter is undefined"));
  if (!is_floating(param.dtype())) {
    throw Error(
        str(op, ": expected a float32 or float64 parameter, got ", dtype_name(param.dtype())));
  }
  return param.value();
}

// Writes row-major values into the parameter (converting to its dtype), under no_grad.
void assign(const Var& param, const std::vector<double>& values) {
  Tensor dst = param.value();
  dst.copy_(from_vector<double>(values, dst.shape()));
}

std::pair<double, double> fans(const Tensor& t, const char* op) {
  if (t.dim() < 2) {
    throw Error(str(op, ": fan in and fan out need a tensor of at least 2 dims, got ", t.shape()));
  }
  double receptive = 1.0;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= static_cast<double>(t.size(d));
  return {static_cast<double>(t.size(1)) * receptive, static_cast<double>(t.size(0)) * receptive};
}

void fill_uniform(const Var& param, double low, double high, Generator& gen) {
  std::vector<double> v(static_cast<size_t>(param.numel()));
  for (double& x : v) x = gen.uniform(low, high);
  assign(param, v);
}
void fill_normal(const Var& param, double mean, double std, Generator& gen) {
  std::vector<double> v(static_cast<size_t>(param.numel()));
  for (double& x : v) x = mean + std * gen.normal();
  assign(param, v);
}

}  // namespace

void constant_(const Var& param, double value) {
  Tensor t = checked(param, "constant_");
  t.fill_(value);
}
void zeros_(const Var& param) { constant_(param, 0.0); }
void ones_(const Var& param) { constant_(param, 1.0); }

void uniform_(const Var& param, double low, double high, Generator& gen) {
  checked(param, "uniform_");
  fill_uniform(param, low, high, gen);
}
void normal_(const Var& param, double mean, double std, Generator& gen) {
  checked(param, "normal_");
  fill_normal(param, mean, std, gen);
}

void orthogonal_(const Var& param, double gain, Generator& gen) {
  Tensor t = checked(param, "orthogonal_");
  if (t.dim() < 2) {
    throw Error(
        str("orthogonal_: only tensors with 2 or more dimensions are supported, got ", t.shape()));
  }
  const int64_t rows = t.size(0);
  const int64_t cols = t.numel() / rows;
  // As torch: QR of the (taller-than-wide) Gaussian matrix, Q times sign(diag(R)).
  const bool flip = rows < cols;
  const int64_t m = flip ? cols : rows, n = flip ? rows : cols;
  Eigen::MatrixXd a(m, n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) a(i, j) = gen.normal();
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(m, n);
  Eigen::MatrixXd r = qr.matrixQR().topRows(n).triangularView<Eigen::Upper>();
  for (int64_t j = 0; j < n; ++j) {
    if (r(j, j) < 0) q.col(j) *= -1.0;
  }
  std::vector<double> v(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) v[i * cols + j] = gain * (flip ? q(j, i) : q(i, j));
  assign(param, v);
}

void xavier_uniform_(const Var& param, Generator& gen, double gain) {
  auto [fan_in, fan_out] = fans(checked(param, "xavier_uniform_"), "xavier_uniform_");
  const double a = gain * std::sqrt(6.0 / (fan_in + fan_out));
  fill_uniform(param, -a, a, gen);
}
void xavier_normal_(const Var& param, Generator& gen, double gain) {
  auto [fan_in, fan_out] = fans(checked(param, "xavier_normal_"), "xavier_normal_");
  fill_normal(param, 0.0, gain * std::sqrt(2.0 / (fan_in + fan_out)), gen);
}
void kaiming_uniform_(const Var& param, Generator& gen, double gain) {
  auto [fan_in, fan_out] = fans(checked(param, "kaiming_uniform_"), "kaiming_uniform_");
  const double b = gain * std::sqrt(3.0 / fan_in);
  fill_uniform(param, -b, b, gen);
}
void kaiming_normal_(const Var& param, Generator& gen, double gain) {
  auto [fan_in, fan_out] = fans(checked(param, "kaiming_normal_"), "kaiming_normal_");
  fill_normal(param, 0.0, gain / std::sqrt(fan_in), gen);
}

double calculate_gain(const char* nonlinearity) {
  const std::string n = nonlinearity;
  if (n == "linear" || n == "sigmoid" || n == "identity") return 1.0;
  if (n == "tanh") return 5.0 / 3.0;
  if (n == "relu") return std::sqrt(2.0);
  throw Error(
      str("calculate_gain: unknown nonlinearity '", n, "' (choose linear, sigmoid, tanh or relu)"));
}

}  // namespace rein::nn::init
