// libtorch twin of rein-bench's autograd workloads (apps/bench/autograd_bench.cpp): same
// networks, losses and batch sizes, one thread; prints the median time per step.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

namespace F = torch::nn::functional;

torch::nn::Sequential mlp(const std::vector<int64_t>& sizes, bool tanh) {
  torch::nn::Sequential seq;
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    seq->push_back(torch::nn::Linear(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.size()) {
      if (tanh)
        seq->push_back(torch::nn::Tanh());
      else
        seq->push_back(torch::nn::ReLU());
    }
  }
  return seq;
}

double median_us(const std::function<void()>& step, int repeats, int inner) {
  for (int i = 0; i < inner; ++i) step();
  std::vector<double> samples;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < inner; ++i) step();
    auto t1 = std::chrono::steady_clock::now();
    samples.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / inner);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

int main() {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  const int repeats = 15;
  {
    auto net = mlp({4, 64, 64, 2}, true);
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(3e-4).eps(1e-5));
    auto obs = torch::randn({128, 4});
    auto act = torch::randint(0, 2, {128, 1}, torch::kLong);
    auto old_logp = torch::full({128}, -0.69);
    auto adv = torch::randn({128});
    auto step = [&] {
      opt.zero_grad();
      auto logp_all = torch::log_softmax(net->forward(obs), 1);
      auto ratio = torch::exp(logp_all.gather(1, act).squeeze(1) - old_logp);
      auto pg = torch::maximum(-adv * ratio, -adv * torch::clamp(ratio, 0.8, 1.2)).mean();
      auto entropy = -(torch::exp(logp_all) * logp_all).sum(1).mean();
      (pg - 0.01 * entropy).backward();
      opt.step();
    };
    std::printf("libtorch ppo_update_b128 %10.1f us\n", median_us(step, repeats, 200));
  }
  {
    auto net = mlp({4, 64, 64, 2}, true);
    auto obs = torch::randn({1, 4});
    auto step = [&] {
      torch::NoGradGuard no_grad;
      net->forward(obs);
    };
    std::printf("libtorch act_b1          %10.1f us\n", median_us(step, repeats, 2000));
  }
  {
    auto q = mlp({4, 256, 256, 2}, false);
    auto target = mlp({4, 256, 256, 2}, false);
    {
      torch::NoGradGuard no_grad;
      auto src = q->parameters();
      auto dst = target->parameters();
      for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
    }
    torch::optim::Adam opt(q->parameters(), torch::optim::AdamOptions(2.5e-4));
    auto obs = torch::randn({64, 4}), next_obs = torch::randn({64, 4});
    auto act = torch::randint(0, 2, {64, 1}, torch::kLong);
    auto reward = torch::randn({64}), not_done = torch::ones({64});
    auto step = [&] {
      torch::Tensor td_target;
      {
        torch::NoGradGuard no_grad;
        td_target = reward + not_done * std::get<0>(target->forward(next_obs).max(1)) * 0.99;
      }
      opt.zero_grad();
      auto q_sa = q->forward(obs).gather(1, act).squeeze(1);
      F::smooth_l1_loss(q_sa, td_target).backward();
      opt.step();
    };
    std::printf("libtorch dqn_update_b64  %10.1f us\n", median_us(step, repeats, 50));
  }
  {
    auto net = mlp({512, 256, 256, 18}, false);
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-4));
    auto x = torch::randn({256, 512});
    auto labels = torch::randint(0, 18, {256}, torch::kLong);
    auto step = [&] {
      opt.zero_grad();
      F::cross_entropy(net->forward(x), labels).backward();
      opt.step();
    };
    std::printf("libtorch big_update_b256 %10.1f us\n", median_us(step, repeats, 10));
  }
  {
    namespace nn = torch::nn;
    nn::Sequential net(nn::Conv2d(nn::Conv2dOptions(4, 32, 8).stride(4)), nn::ReLU(),
                       nn::Conv2d(nn::Conv2dOptions(32, 64, 4).stride(2)), nn::ReLU(),
                       nn::Conv2d(nn::Conv2dOptions(64, 64, 3).stride(1)), nn::ReLU(),
                       nn::Flatten(), nn::Linear(64 * 7 * 7, 512), nn::ReLU());
    auto x = torch::rand({32, 4, 84, 84});
    auto step = [&] {
      net->zero_grad();
      net->forward(x).sum().backward();
    };
    std::printf("libtorch nature_cnn_b32  %10.1f us\n", median_us(step, repeats, 3));
  }
  return 0;
}
