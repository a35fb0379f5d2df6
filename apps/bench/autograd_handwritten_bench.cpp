// The hand-written reference for the autograd benchmarks: the same PPO step, batch-1 act and big
// cross-entropy step as autograd_bench.cpp, written directly in Eigen (forward, manual
// backward, fused Adam) with preallocated buffers. It is the floor that rein's graph, allocation and dispatch overhead is
// measured against (docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cmath>
#include <random>
#include <vector>

namespace {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::Matrix<float, 1, Eigen::Dynamic>;

struct Param {
  Mat w, gw, m, v;
  explicit Param(int rows, int cols, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(-0.1f, 0.1f);
    w = Mat::NullaryExpr(rows, cols, [&] { return u(rng); });
    gw = Mat::Zero(rows, cols);
    m = Mat::Zero(rows, cols);
    v = Mat::Zero(rows, cols);
  }
  void adam(int step, float lr, float eps = 1e-5f) {
    const float b1 = 0.9f, b2 = 0.999f;
    const float bc1 = 1.0f - std::pow(b1, static_cast<float>(step));
    const float bc2 = std::sqrt(1.0f - std::pow(b2, static_cast<float>(step)));
    float* p = w.data();
    const float* g = gw.data();
    float* mp = m.data();
    float* vp = v.data();
    for (Eigen::Index k = 0; k < w.size(); ++k) {
      mp[k] = b1 * mp[k] + (1 - b1) * g[k];
      vp[k] = b2 * vp[k] + (1 - b2) * g[k] * g[k];
      p[k] -= (lr / bc1) * mp[k] / (std::sqrt(vp[k]) / bc2 + eps);
    }
  }
};

struct PPONet {
  std::mt19937 rng{0};
  Param w0{64, 4, rng}, b0{1, 64, rng}, w1{64, 64, rng}, b1{1, 64, rng}, w2{2, 64, rng},
      b2{1, 2, rng};
  Mat h1, h2, z, dz, dh2, dh1;
};

void BM_handwritten_ppo_update_b128(benchmark::State& state) {
  const int B = 128;
  PPONet net;
  std::normal_distribution<float> n01;
  Mat x = Mat::NullaryExpr(B, 4, [&] { return n01(net.rng); });
  Eigen::VectorXf adv = Eigen::VectorXf::NullaryExpr(B, [&] { return n01(net.rng); });
  std::vector<int> act(B);
  for (int i = 0; i < B; ++i) act[i] = static_cast<int>(net.rng() % 2);
  const float old_logp = -0.69f;
  int step = 0;
  for (auto _ : state) {
    // Forward.
    net.h1.noalias() = x * net.w0.w.transpose();
    net.h1.rowwise() += Vec(net.b0.w);
    net.h1 = net.h1.array().tanh();
    net.h2.noalias() = net.h1 * net.w1.w.transpose();
    net.h2.rowwise() += Vec(net.b1.w);
    net.h2 = net.h2.array().tanh();
    net.z.noalias() = net.h2 * net.w2.w.transpose();
    net.z.rowwise() += Vec(net.b2.w);
    // Loss gradient w.r.t. logits: clipped surrogate and entropy bonus, per row.
    net.dz.resize(B, 2);
    float loss = 0;
    for (int i = 0; i < B; ++i) {
      const float m = std::max(net.z(i, 0), net.z(i, 1));
      const float lse = m + std::log(std::exp(net.z(i, 0) - m) + std::exp(net.z(i, 1) - m));
      const float lp[2] = {net.z(i, 0) - lse, net.z(i, 1) - lse};
      const float p[2] = {std::exp(lp[0]), std::exp(lp[1])};
      const float ent = -(p[0] * lp[0] + p[1] * lp[1]);
      const float ratio = std::exp(lp[act[i]] - old_logp);
      const float clipped = std::clamp(ratio, 0.8f, 1.2f);
      const float a = -adv[i];
      const bool unclipped = a * ratio >= a * clipped;
      loss += (unclipped ? a * ratio : a * clipped) / B - 0.01f * ent / B;
      const float g = unclipped ? a * ratio / B : (ratio == clipped ? a * ratio / B : 0.0f);
      for (int j = 0; j < 2; ++j) {
        net.dz(i, j) = g * ((j == act[i]) - p[j]) + 0.01f / B * p[j] * (lp[j] + ent);
      }
    }
    // Backward.
    net.w2.gw.noalias() = net.dz.transpose() * net.h2;
    net.b2.gw = net.dz.colwise().sum();
    net.dh2.noalias() = net.dz * net.w2.w;
    net.dh2.array() *= 1.0f - net.h2.array().square();
    net.w1.gw.noalias() = net.dh2.transpose() * net.h1;
    net.b1.gw = net.dh2.colwise().sum();
    net.dh1.noalias() = net.dh2 * net.w1.w;
    net.dh1.array() *= 1.0f - net.h1.array().square();
    net.w0.gw.noalias() = net.dh1.transpose() * x;
    net.b0.gw = net.dh1.colwise().sum();
    ++step;
    for (Param* p : {&net.w0, &net.b0, &net.w1, &net.b1, &net.w2, &net.b2}) p->adam(step, 3e-4f);
    benchmark::DoNotOptimize(loss);
  }
}
BENCHMARK(BM_handwritten_ppo_update_b128);

void BM_handwritten_act_b1(benchmark::State& state) {
  PPONet net;
  Vec x(4);
  x << 0.1f, -0.2f, 0.3f, 0.05f;
  Vec h1(64), h2(64), z(2);
  for (auto _ : state) {
    h1.noalias() = x * net.w0.w.transpose();
    h1 = (h1 + Vec(net.b0.w)).array().tanh();
    h2.noalias() = h1 * net.w1.w.transpose();
    h2 = (h2 + Vec(net.b1.w)).array().tanh();
    z.noalias() = h2 * net.w2.w.transpose();
    z += Vec(net.b2.w);
    benchmark::DoNotOptimize(z.data());
  }
}
BENCHMARK(BM_handwritten_act_b1);

// MLP 512-256-256-18 ReLU, batch 256, mean cross entropy, Adam (lr 1e-4, eps 1e-8).
void BM_handwritten_big_update_b256(benchmark::State& state) {
  const int B = 256, C = 18;
  std::mt19937 rng{0};
  Param w0{256, 512, rng}, b0{1, 256, rng}, w1{256, 256, rng}, b1{1, 256, rng}, w2{C, 256, rng},
      b2{1, C, rng};
  std::normal_distribution<float> n01;
  Mat x = Mat::NullaryExpr(B, 512, [&] { return n01(rng); });
  std::vector<int> label(B);
  for (int i = 0; i < B; ++i) label[i] = static_cast<int>(rng() % C);
  Mat h1, h2, z, dz(B, C), dh2, dh1;
  int step = 0;
  for (auto _ : state) {
    // Forward.
    h1.noalias() = x * w0.w.transpose();
    h1.rowwise() += Vec(b0.w);
    h1 = h1.cwiseMax(0.0f);
    h2.noalias() = h1 * w1.w.transpose();
    h2.rowwise() += Vec(b1.w);
    h2 = h2.cwiseMax(0.0f);
    z.noalias() = h2 * w2.w.transpose();
    z.rowwise() += Vec(b2.w);
    // Mean cross entropy and its gradient w.r.t. the logits: (softmax - one_hot) / B.
    float loss = 0;
    for (int i = 0; i < B; ++i) {
      const float m = z.row(i).maxCoeff();
      const float sum = (z.row(i).array() - m).exp().sum();
      loss += (m + std::log(sum) - z(i, label[i])) / B;
      dz.row(i) = (z.row(i).array() - m).exp() / (sum * B);
      dz(i, label[i]) -= 1.0f / B;
    }
    // Backward.
    w2.gw.noalias() = dz.transpose() * h2;
    b2.gw = dz.colwise().sum();
    dh2.noalias() = dz * w2.w;
    dh2 = (h2.array() > 0.0f).select(dh2, 0.0f);
    w1.gw.noalias() = dh2.transpose() * h1;
    b1.gw = dh2.colwise().sum();
    dh1.noalias() = dh2 * w1.w;
    dh1 = (h1.array() > 0.0f).select(dh1, 0.0f);
    w0.gw.noalias() = dh1.transpose() * x;
    b0.gw = dh1.colwise().sum();
    ++step;
    for (Param* p : {&w0, &b0, &w1, &b1, &w2, &b2}) p->adam(step, 1e-4f, 1e-8f);
    benchmark::DoNotOptimize(loss);
  }
}
BENCHMARK(BM_handwritten_big_update_b256)->Unit(benchmark::kMillisecond);

}  // namespace
