// The graph is freed after every backward: 100,000 training steps keep memory flat.
#include <gtest/gtest.h>
#include <malloc.h>

#include "autograd/nn.h"
#include "autograd/optim.h"
#include "tensor/ops.h"

namespace rein {
namespace {

TEST(Memory, HundredThousandTrainingStepsDoNotGrowMemory) {
  Generator gen(0);
  nn::MLP mlp({3, 8, 2}, nn::Activation::Tanh, gen);
  optim::Adam opt(mlp.parameters(), {.lr = 1e-3});
  Tensor x = randn({4, 3}, gen);
  Tensor target = randn({4, 2}, gen);
  Tensor actions = from_vector<int64_t>({0, 1, 1, 0}, {4, 1});
  auto step = [&] {
    opt.zero_grad();
    Var out = mlp(Var(x));
    Var loss = nn::mse_loss(out, Var(target)) + mean(gather(log_softmax(out, 1), 1, actions));
    loss.backward();
    optim::clip_grad_norm_(mlp.parameters(), 0.5);
    opt.step();
  };
  for (int i = 0; i < 1000; ++i) step();
  const int64_t cells = live_var_count();
  const size_t heap = mallinfo2().uordblks;  // 0 when a sanitizer replaces malloc
  for (int i = 0; i < 100000; ++i) step();
  EXPECT_EQ(live_var_count(), cells);
  if (heap > 0) {
    EXPECT_LT(mallinfo2().uordblks, heap + 64 * 1024);
  }
}

}  // namespace
}  // namespace rein
