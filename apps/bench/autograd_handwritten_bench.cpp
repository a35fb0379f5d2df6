// The hand-written reference for the autograd benchmarks: the same PPO step, batch-1 act and big
// cross-entropy step as autograd_bench.cpp, written directly in Eigen (forward, manual
// backward, fused Adam) with preallocated buffers. It is the floor that rein's graph, allocation
// and dispatch overhead is measured against (docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cmath>
#include <random>
#include <vector>

#include "apps/bench/offpolicy_flops.h"

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

// A 3-layer ReLU MLP (in -> h1 -> h2 -> out) with its activations kept for the backward pass.
struct Mlp3 {
  Param w0, b0, w1, b1, w2, b2;
  Mat h1, h2, out, dh2, dh1, dx;
  Mlp3(int in, int hidden1, int hidden2, int out_dim, std::mt19937& rng)
      : w0{hidden1, in, rng},
        b0{1, hidden1, rng},
        w1{hidden2, hidden1, rng},
        b1{1, hidden2, rng},
        w2{out_dim, hidden2, rng},
        b2{1, out_dim, rng} {}
  const Mat& forward(const Mat& x) {
    h1.noalias() = x * w0.w.transpose();
    h1.rowwise() += Vec(b0.w);
    h1 = h1.cwiseMax(0.0f);
    h2.noalias() = h1 * w1.w.transpose();
    h2.rowwise() += Vec(b1.w);
    h2 = h2.cwiseMax(0.0f);
    out.noalias() = h2 * w2.w.transpose();
    out.rowwise() += Vec(b2.w);
    return out;
  }
  // dout: gradient of the loss w.r.t. out. Parameter gradients when `params`; returns d x.
  const Mat& backward(const Mat& x, const Mat& dout, bool params) {
    if (params) {
      w2.gw.noalias() = dout.transpose() * h2;
      b2.gw = dout.colwise().sum();
    }
    dh2.noalias() = dout * w2.w;
    dh2 = (h2.array() > 0.0f).select(dh2, 0.0f);
    if (params) {
      w1.gw.noalias() = dh2.transpose() * h1;
      b1.gw = dh2.colwise().sum();
    }
    dh1.noalias() = dh2 * w1.w;
    dh1 = (h1.array() > 0.0f).select(dh1, 0.0f);
    if (params) {
      w0.gw.noalias() = dh1.transpose() * x;
      b0.gw = dh1.colwise().sum();
    }
    dx.noalias() = dh1 * w0.w;
    return dx;
  }
  void adam(int step, float lr) {
    for (Param* p : {&w0, &b0, &w1, &b1, &w2, &b2}) p->adam(step, lr, 1e-8f);
  }
  void polyak(const Mlp3& src, float tau) {
    Param* d[] = {&w0, &b0, &w1, &b1, &w2, &b2};
    const Param* s[] = {&src.w0, &src.b0, &src.w1, &src.b1, &src.w2, &src.b2};
    for (int k = 0; k < 6; ++k) d[k]->w = (1 - tau) * d[k]->w + tau * s[k]->w;
  }
};

// One SAC gradient step at Pendulum sizes (obs 3, action 1, 256x256, batch 256), as rein's SAC
// does it: learned entropy coefficient, squashed Gaussian actor, twin critics and targets, Adam
// (lr 1e-3), Polyak tau 0.005. Same matrix products as rein_rl's update; no graph.
void BM_handwritten_sac_update_b256(benchmark::State& state) {
  const int B = 256, D = 3, A = 1, H = 256;
  std::mt19937 rng{0};
  Mlp3 actor(D, H, H, 2 * A, rng), q1(D + A, H, H, 1, rng), q2(D + A, H, H, 1, rng);
  Mlp3 t1(D + A, H, H, 1, rng), t2(D + A, H, H, 1, rng);
  std::normal_distribution<float> n01;
  auto randn = [&](int r, int c) { return Mat(Mat::NullaryExpr(r, c, [&] { return n01(rng); })); };
  const Mat obs = randn(B, D), next_obs = randn(B, D), act = randn(B, A).array().tanh().matrix();
  const Mat reward = randn(B, 1);
  float log_alpha = 0, m_alpha = 0, v_alpha = 0;
  const float lr = 1e-3f, gamma = 0.99f, tau = 0.005f, target_entropy = -1.0f;
  Mat sa(B, D + A), next_sa(B, D + A), pi_sa(B, D + A), dq1(B, 1), dq2(B, 1), dout(B, 2 * A);
  int step = 0;
  for (auto _ : state) {
    ++step;
    // Squashed Gaussian sample of a batch: actions, log-probabilities and what backward needs.
    auto sample = [&](Mlp3& net, const Mat& x, Mat& a, Mat& logp, Mat& eps, Mat& std_, Mat& clip) {
      const Mat& out = net.forward(x);
      eps = randn(B, A);
      const Mat raw = out.rightCols(A);
      const Mat log_std = raw.cwiseMax(-20.0f).cwiseMin(2.0f);
      clip = ((raw.array() >= -20.0f) && (raw.array() <= 2.0f)).cast<float>();
      std_ = log_std.array().exp();
      a = (out.leftCols(A).array() + std_.array() * eps.array()).tanh();
      logp = (-0.5f * eps.array().square() - log_std.array() - 0.9189385f -
              (1.0f - a.array().square() + 1e-6f).log())
                 .rowwise()
                 .sum();
    };
    Mat a_pi, logp, eps, std_, clip, a_next, logp_next, e2, s2, c2;
    const float alpha = std::exp(log_alpha);
    // Targets (no gradient), first: the actor's buffers then hold the batch's pass.
    sample(actor, next_obs, a_next, logp_next, e2, s2, c2);
    next_sa << next_obs, a_next;
    const Mat next_q = t1.forward(next_sa).cwiseMin(t2.forward(next_sa)) - alpha * logp_next;
    const Mat y = reward + gamma * next_q;
    sample(actor, obs, a_pi, logp, eps, std_, clip);
    // Entropy coefficient: loss -mean(log_alpha (logp + target)).
    const float g_alpha = -(logp.array() + target_entropy).mean();
    m_alpha = 0.9f * m_alpha + 0.1f * g_alpha;
    v_alpha = 0.999f * v_alpha + 0.001f * g_alpha * g_alpha;
    log_alpha -= lr / (1 - std::pow(0.9f, static_cast<float>(step))) * m_alpha /
                 (std::sqrt(v_alpha / (1 - std::pow(0.999f, static_cast<float>(step)))) + 1e-8f);
    // Critics: 0.5 sum_k MSE(Q_k, y).
    sa << obs, act;
    dq1 = (q1.forward(sa) - y) / static_cast<float>(B);
    dq2 = (q2.forward(sa) - y) / static_cast<float>(B);
    q1.backward(sa, dq1, true);
    q2.backward(sa, dq2, true);
    q1.adam(step, lr);
    q2.adam(step, lr);
    // Actor: mean(alpha logp - min_k Q_k(s, a_pi)); input gradients of the critics only.
    pi_sa << obs, a_pi;
    const Mat v1 = q1.forward(pi_sa), v2 = q2.forward(pi_sa);
    dq1 = (v1.array() <= v2.array()).cast<float>() * (-1.0f / B);
    dq2 = (v1.array() > v2.array()).cast<float>() * (-1.0f / B);
    const Mat da = q1.backward(pi_sa, dq1, false).rightCols(A) +
                   q2.backward(pi_sa, dq2, false).rightCols(A) +
                   Mat((alpha / B) * 2.0f * a_pi.array() / (1.0f - a_pi.array().square() + 1e-6f));
    const Mat dx = da.array() * (1.0f - a_pi.array().square());
    dout.leftCols(A) = dx;
    dout.rightCols(A) = (dx.array() * std_.array() * eps.array() - alpha / B) * clip.array();
    actor.backward(obs, dout, true);
    actor.adam(step, lr);
    t1.polyak(q1, tau);
    t2.polyak(q2, tau);
    benchmark::DoNotOptimize(actor.w2.w.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(kSacUpdateFlop, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_handwritten_sac_update_b256)->Unit(benchmark::kMillisecond);

// One TD3 gradient step at Pendulum sizes (obs 3, action 1, 400x300, batch 256), as rein's TD3
// does it: target policy smoothing (noise 0.2 clipped at 0.5), clipped double Q, twin critics,
// the actor and the Polyak updates every second step (policy_delay 2), Adam (lr 1e-3), tau
// 0.005. Same matrix products as rein_rl's update; no graph.
void BM_handwritten_td3_update_b256(benchmark::State& state) {
  const int B = 256, D = 3, A = 1, H1 = 400, H2 = 300;
  std::mt19937 rng{0};
  Mlp3 actor(D, H1, H2, A, rng), actor_t(D, H1, H2, A, rng);
  Mlp3 q1(D + A, H1, H2, 1, rng), q2(D + A, H1, H2, 1, rng);
  Mlp3 t1(D + A, H1, H2, 1, rng), t2(D + A, H1, H2, 1, rng);
  std::normal_distribution<float> n01;
  auto randn = [&](int r, int c) { return Mat(Mat::NullaryExpr(r, c, [&] { return n01(rng); })); };
  const Mat obs = randn(B, D), next_obs = randn(B, D), act = randn(B, A).array().tanh().matrix();
  const Mat reward = randn(B, 1);
  const float lr = 1e-3f, gamma = 0.98f, tau = 0.005f;
  Mat sa(B, D + A), next_sa(B, D + A), pi_sa(B, D + A), dq(B, 1);
  sa << obs, act;
  int step = 0;
  for (auto _ : state) {
    ++step;
    // Targets: smoothed target actions, the smaller target critic.
    const Mat noise = (0.2f * randn(B, A)).cwiseMax(-0.5f).cwiseMin(0.5f);
    const Mat a_next =
        (actor_t.forward(next_obs).array().tanh() + noise.array()).cwiseMax(-1.0f).cwiseMin(1.0f);
    next_sa << next_obs, a_next;
    const Mat y = reward + gamma * t1.forward(next_sa).cwiseMin(t2.forward(next_sa));
    // Critics: sum_k MSE(Q_k, y).
    dq = (q1.forward(sa) - y) * (2.0f / B);
    q1.backward(sa, dq, true);
    dq = (q2.forward(sa) - y) * (2.0f / B);
    q2.backward(sa, dq, true);
    q1.adam(step, lr);
    q2.adam(step, lr);
    if (step % 2 == 0) {
      // Actor: -mean(Q_1(s, tanh(actor(s)))); the critic's input gradient only.
      const Mat a_pi = actor.forward(obs).array().tanh();
      pi_sa << obs, a_pi;
      q1.forward(pi_sa);
      dq.setConstant(-1.0f / B);
      const Mat da = q1.backward(pi_sa, dq, false).rightCols(A);
      const Mat dz = da.array() * (1.0f - a_pi.array().square());
      actor.backward(obs, dz, true);
      actor.adam(step / 2, lr);
      t1.polyak(q1, tau);
      t2.polyak(q2, tau);
      actor_t.polyak(actor, tau);
    }
    benchmark::DoNotOptimize(actor.w2.w.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(kTd3UpdateFlop, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_handwritten_td3_update_b256)->Unit(benchmark::kMillisecond);

// The matrix products of an update alone, nothing else: the GEMM bound an update is measured
// against. Networks 4 -> h1 -> h2 -> 2 at batch 256; `forwards` forward passes, `weight_backs`
// backward passes with weight and input gradients, `input_backs` with input gradients only.
// Eigen allocates its packing buffers on every product: with glibc's defaults the freed
// buffers can be trimmed from the heap and faulted in again (up to a quarter of this
// benchmark's time, depending on what ran before it in the process), which rein's tensor
// block cache spares the agents; docs/PERFORMANCE.md runs it with GLIBC_TUNABLES for that.
void gemm_bound(benchmark::State& state, int h1_size, int h2_size, int forwards, int weight_backs,
                int input_backs, double flop) {
  const int B = 256, in = 4, out = 2;
  std::mt19937 rng{0};
  std::normal_distribution<float> n01;
  auto randn = [&](int r, int c) { return Mat(Mat::NullaryExpr(r, c, [&] { return n01(rng); })); };
  const Mat x = randn(B, in), w0 = randn(h1_size, in), w1 = randn(h2_size, h1_size),
            w2 = randn(out, h2_size);
  const Mat a1 = randn(B, h1_size), a2 = randn(B, h2_size), dout = randn(B, out);
  Mat h1(B, h1_size), h2(B, h2_size), z(B, out), gw0(h1_size, in), gw1(h2_size, h1_size),
      gw2(out, h2_size), dh2(B, h2_size), dh1(B, h1_size), dx(B, in);
  for (auto _ : state) {
    for (int k = 0; k < forwards; ++k) {
      h1.noalias() = x * w0.transpose();
      h2.noalias() = h1 * w1.transpose();
      z.noalias() = h2 * w2.transpose();
    }
    for (int k = 0; k < weight_backs + input_backs; ++k) {
      const bool weights = k < weight_backs;
      if (weights) gw2.noalias() = dout.transpose() * a2;
      dh2.noalias() = dout * w2;
      if (weights) gw1.noalias() = dh2.transpose() * a1;
      dh1.noalias() = dh2 * w1;
      if (weights) gw0.noalias() = dh1.transpose() * x;
      if (!weights) dx.noalias() = dh1 * w0;
    }
    benchmark::DoNotOptimize(z.data());
    benchmark::DoNotOptimize(gw0.data());
    benchmark::DoNotOptimize(dx.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(flop, benchmark::Counter::kIsIterationInvariantRate);
}

// SAC (256x256): 8 forward passes, 3 backward passes with weight gradients (both critics, the
// actor), 2 with input gradients only (the critics on the actor's actions).
void BM_eigen_sac_gemm_bound_b256(benchmark::State& state) {
  gemm_bound(state, 256, 256, 8, 3, 2, kSacUpdateFlop);
}
BENCHMARK(BM_eigen_sac_gemm_bound_b256)->Unit(benchmark::kMillisecond);

// TD3 (400x300): one iteration is two steps (one with the actor's update, policy_delay 2):
// 12 forward passes, 5 backward passes with weight gradients (the critics twice, the actor),
// 1 with input gradients only (the first critic on the actor's actions).
void BM_eigen_td3_gemm_bound_2steps_b256(benchmark::State& state) {
  gemm_bound(state, 400, 300, 12, 5, 1, 2.0 * kTd3UpdateFlop);
}
BENCHMARK(BM_eigen_td3_gemm_bound_2steps_b256)->Unit(benchmark::kMillisecond);

// DQN CartPole-v1 (4-256-256-2, batch 64): one training phase's matrix products and nothing
// else, in the layouts rein's linear kernels use (row-major activations, weights out x in):
// the target network's forward pass over the phase's 8,192 rows, then 128 times the online
// forward pass at 64 rows and its backward pass (weight gradients of the three layers, input
// gradients of the upper two). The run is kDqnCartPolePhases of these: its GEMM bound.
void BM_eigen_dqn_gemm_bound_phase(benchmark::State& state) {
  const int B = 64, steps = 128, in = 4, hidden = 256, out = 2;
  std::mt19937 rng{0};
  std::normal_distribution<float> n01;
  auto randn = [&](int r, int c) { return Mat(Mat::NullaryExpr(r, c, [&] { return n01(rng); })); };
  const Mat next_obs = randn(B * steps, in), obs = randn(B, in), dout = randn(B, out);
  const Mat w0 = randn(hidden, in), w1 = randn(hidden, hidden), w2 = randn(out, hidden);
  Mat t1(B * steps, hidden), t2(B * steps, hidden), tq(B * steps, out);
  Mat h1(B, hidden), h2(B, hidden), q(B, out), gw0(hidden, in), gw1(hidden, hidden),
      gw2(out, hidden), dh2(B, hidden), dh1(B, hidden);
  for (auto _ : state) {
    t1.noalias() = next_obs * w0.transpose();
    t2.noalias() = t1 * w1.transpose();
    tq.noalias() = t2 * w2.transpose();
    for (int g = 0; g < steps; ++g) {
      h1.noalias() = obs * w0.transpose();
      h2.noalias() = h1 * w1.transpose();
      q.noalias() = h2 * w2.transpose();
      gw2.noalias() = dout.transpose() * h2;
      dh2.noalias() = dout * w2;
      gw1.noalias() = dh2.transpose() * h1;
      dh1.noalias() = dh2 * w1;
      gw0.noalias() = dh1.transpose() * obs;
    }
    benchmark::DoNotOptimize(tq.data());
    benchmark::DoNotOptimize(q.data());
    benchmark::DoNotOptimize(gw0.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(kDqnPhaseFlop, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_eigen_dqn_gemm_bound_phase)->Unit(benchmark::kMillisecond);

}  // namespace
