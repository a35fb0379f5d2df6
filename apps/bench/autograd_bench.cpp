// Autograd benchmarks (docs/PERFORMANCE.md, autograd section): full training steps of small
// MLPs through Var/backward/Adam, batch-1 inference under no_grad, and NatureCNN's forward and
// backward passes. The same workloads are in
// bench/torch_autograd_baseline.py (PyTorch) and bench/libtorch/ (libtorch C++).
#include <benchmark/benchmark.h>

#include "autograd/nn.h"
#include "autograd/optim.h"
#include "tensor/generator.h"
#include "tensor/ops.h"

namespace rein {
namespace {

// CleanRL's PPO policy loss: clipped surrogate (0.2) minus 0.01 entropy.
Var ppo_loss(nn::MLP& mlp, const Tensor& obs, const Tensor& actions, const Tensor& old_logp,
             const Tensor& adv) {
  Var logits = mlp(obs);
  Var logp_all = log_softmax(logits, 1);
  Var logp = squeeze(gather(logp_all, 1, actions), 1);
  Var ratio = exp(logp - old_logp);
  Tensor neg_adv = -adv;
  Var pg = mean(maximum(ratio * neg_adv, clamp(ratio, 0.8, 1.2) * neg_adv));
  Var entropy = mean(-sum(exp(logp_all) * logp_all, 1));
  return pg - 0.01 * entropy;
}

void BM_autograd_ppo_update_b128(benchmark::State& state) {
  Generator gen(0);
  nn::MLP mlp({4, 64, 64, 2}, nn::Activation::Tanh, gen);
  optim::Adam opt(mlp.parameters(), {.lr = 3e-4, .eps = 1e-5});
  const Tensor obs = randn({128, 4}, gen);
  const Tensor actions = randint(0, 2, {128, 1}, gen);
  const Tensor old_logp = full({128}, -0.69);
  const Tensor adv = randn({128}, gen);
  for (auto _ : state) {
    opt.zero_grad();
    Var loss = ppo_loss(mlp, obs, actions, old_logp, adv);
    loss.backward();
    opt.step();
    benchmark::DoNotOptimize(loss.value().data<float>());
  }
}
BENCHMARK(BM_autograd_ppo_update_b128);

void BM_autograd_act_b1(benchmark::State& state) {
  Generator gen(0);
  nn::MLP mlp({4, 64, 64, 2}, nn::Activation::Tanh, gen);
  const Tensor obs = randn({1, 4}, gen);
  NoGradGuard no_grad;
  for (auto _ : state) {
    Var logits = mlp(obs);
    benchmark::DoNotOptimize(logits.value().data<float>());
  }
}
BENCHMARK(BM_autograd_act_b1);

void BM_autograd_dqn_update_b64(benchmark::State& state) {
  Generator gen(0);
  nn::MLP q({4, 256, 256, 2}, nn::Activation::ReLU, gen);
  nn::MLP target({4, 256, 256, 2}, nn::Activation::ReLU, gen);
  target.load_state_dict(q.state_dict());
  optim::Adam opt(q.parameters(), {.lr = 2.5e-4});
  const Tensor obs = randn({64, 4}, gen), next_obs = randn({64, 4}, gen);
  const Tensor actions = randint(0, 2, {64, 1}, gen);
  const Tensor reward = randn({64}, gen);
  const Tensor not_done = ones({64});
  for (auto _ : state) {
    Tensor td_target;
    {
      NoGradGuard no_grad;
      Tensor next_q = std::get<0>(max(target(next_obs).value(), 1));
      td_target = reward + not_done * next_q * 0.99;
    }
    opt.zero_grad();
    Var q_sa = squeeze(gather(q(obs), 1, actions), 1);
    Var loss = nn::smooth_l1_loss(q_sa, td_target);
    loss.backward();
    opt.step();
    benchmark::DoNotOptimize(loss.value().data<float>());
  }
}
BENCHMARK(BM_autograd_dqn_update_b64);

void BM_autograd_big_update_b256(benchmark::State& state) {
  Generator gen(0);
  nn::MLP mlp({512, 256, 256, 18}, nn::Activation::ReLU, gen);
  optim::Adam opt(mlp.parameters(), {.lr = 1e-4});
  const Tensor x = randn({256, 512}, gen);
  const Tensor labels = randint(0, 18, {256}, gen);
  for (auto _ : state) {
    opt.zero_grad();
    Var loss = nn::cross_entropy(mlp(x), labels);
    loss.backward();
    opt.step();
    benchmark::DoNotOptimize(loss.value().data<float>());
  }
}
BENCHMARK(BM_autograd_big_update_b256)->Unit(benchmark::kMillisecond);

// NatureCNN at SB3's Atari sizes: batch 32 of 4x84x84 frames through 32 8x8/4, 64 4x4/2,
// 64 3x3/1 convolutions (ReLU after each), flatten, Linear 3136-512, ReLU; the sum of the
// features backward. No optimizer: the convolutions' forward and backward are the workload.
void BM_autograd_nature_cnn_b32(benchmark::State& state) {
  Generator gen(0);
  nn::Conv2d c1(4, 32, 8, 4, gen), c2(32, 64, 4, 2, gen), c3(64, 64, 3, 1, gen);
  nn::Linear fc(64 * 7 * 7, 512, gen);
  const Tensor x = rand({32, 4, 84, 84}, gen);
  for (auto _ : state) {
    for (auto* m : std::initializer_list<nn::Module*>{&c1, &c2, &c3, &fc}) m->zero_grad();
    Var h = relu(c3(relu(c2(relu(c1(Var(x)))))));
    Var loss = sum(relu(fc(flatten(h, 1))));
    loss.backward();
    benchmark::DoNotOptimize(loss.value().data<float>());
  }
}
BENCHMARK(BM_autograd_nature_cnn_b32)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rein
