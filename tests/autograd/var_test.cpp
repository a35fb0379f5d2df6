// Var, backward, accumulation, no_grad, detach, retain_graph and graph lifetime.
#include "autograd/var.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "autograd/ops.h"
#include "tensor/ops.h"

namespace rein {
namespace {

TEST(Var, BackwardOfProductGivesTheOtherFactor) {
  Var x(tensor({2.0, 3.0}), true);
  Var y(tensor({5.0, 7.0}), true);
  Var loss = sum(x * y);
  loss.backward();
  EXPECT_EQ(x.grad().tolist(), (std::vector<double>{5.0, 7.0}));
  EXPECT_EQ(y.grad().tolist(), (std::vector<double>{2.0, 3.0}));
}

TEST(Var, GradientsAccumulateAcrossBackwardCallsUntilZeroGrad) {
  Var x(tensor({1.0, 2.0}), true);
  sum(x * 3.0).backward();
  sum(x * 3.0).backward();
  EXPECT_EQ(x.grad().tolist(), (std::vector<double>{6.0, 6.0}));
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
  sum(x).backward();
  EXPECT_EQ(x.grad().tolist(), (std::vector<double>{1.0, 1.0}));
}

TEST(Var, ReusedInputSumsBothPaths) {
  Var x(tensor({3.0}), true);
  Var y = x * x + x;  // dy/dx = 2x + 1
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 7.0);
}

TEST(Var, BroadcastGradientIsReducedToTheInputShape) {
  Var a(ones({3, 4}), true);
  Var b(ones({4}), true);
  sum(a + b).backward();
  EXPECT_EQ(b.grad().shape(), Shape({4}));
  EXPECT_EQ(b.grad().tolist(), (std::vector<double>{3, 3, 3, 3}));
  EXPECT_EQ(a.grad().shape(), Shape({3, 4}));
}

TEST(Var, NoGradRecordsNothingAndRestoresTheMode) {
  Var x(tensor({1.0}), true);
  {
    no_grad guard;
    EXPECT_FALSE(is_grad_enabled());
    Var y = x * 2.0;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_leaf());
    {
      GradModeGuard enable(true);
      EXPECT_TRUE((x * 2.0).requires_grad());
    }
    EXPECT_FALSE(is_grad_enabled());
  }
  EXPECT_TRUE(is_grad_enabled());
  EXPECT_TRUE((x * 2.0).requires_grad());
}

TEST(Var, DetachStopsTheGradientAndSharesStorage) {
  Var x(tensor({1.0, 2.0}), true);
  Var d = (x * 2.0).detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  Var loss = sum(x * d);
  loss.backward();
  EXPECT_EQ(x.grad().tolist(), (std::vector<double>{2.0, 4.0}));
  Var e = x.detach();
  EXPECT_TRUE(e.value().shares_storage(x.value()));
}

TEST(Var, SecondBackwardThroughAFreedGraphThrows) {
  Var x(tensor({1.0}), true);
  Var y = exp(x) * 2.0;
  y.backward();
  EXPECT_THROW(y.backward(), Error);
}

TEST(Var, RetainGraphAllowsASecondBackward) {
  Var x(tensor({1.0}), true);
  Var y = x * x;
  y.backward(true);
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 4.0);
}

TEST(Var, NonScalarBackwardNeedsAnExplicitGradient) {
  Var x(tensor({1.0, 2.0}), true);
  Var y = x * 3.0;
  EXPECT_THROW(y.backward(), Error);
  y.backward(tensor({1.0, 10.0}));
  EXPECT_EQ(x.grad().tolist(), (std::vector<double>{3.0, 30.0}));
}

TEST(Var, NonLeafGradIsKeptOnlyWithRetainGrad) {
  Var x(tensor({1.0, 2.0}), true);
  Var h = x * 2.0;
  Var k = x * 3.0;
  k.retain_grad();
  sum(h + k).backward();
  EXPECT_FALSE(h.grad().defined());
  EXPECT_EQ(k.grad().tolist(), (std::vector<double>{1.0, 1.0}));
}

TEST(Var, BackwardWithoutGradThrowsAMessage) {
  Var x(tensor({1.0}));
  try {
    (x * 2.0).backward();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not require grad"), std::string::npos);
  }
}

TEST(Var, RequiresGradOnlyOnFloatingLeaves) {
  EXPECT_THROW(Var(tensor({1.0}, Dtype::Int64), true), Error);
  Var x(tensor({1.0}), true);
  Var y = x * 2.0;
  EXPECT_THROW(y.requires_grad_(false), Error);
}

TEST(Var, GraphIsFreedAfterBackward) {
  const int64_t before = live_var_count();
  {
    Var x(tensor({1.0, 2.0}), true);
    Var loss = sum(tanh(x * 2.0 + 1.0));
    EXPECT_GT(live_var_count(), before + 4);
    loss.backward();
    // Only x and loss remain: the intermediate nodes were released by backward.
    EXPECT_EQ(live_var_count(), before + 2);
  }
  EXPECT_EQ(live_var_count(), before);
}

// Each thread counts its cells on its own, and cells often die on another thread than the one
// that made them (a worker's batch freed by the trainer): the count is of the whole process,
// and a thread that ended keeps its cells counted.
TEST(Var, LiveCellsAreCountedAcrossThreads) {
  const int64_t before = live_var_count();
  std::vector<Var> made_elsewhere(3);
  for (Var& v : made_elsewhere) {
    std::thread([&v] { v = Var(tensor({1.0})) * 2.0; }).join();  // the product and its input
  }
  EXPECT_EQ(live_var_count(), before + 3);  // the inputs died on their threads, the products not
  Var kept;
  std::thread([&] {
    EXPECT_EQ(live_var_count(), before + 3);
    made_elsewhere.clear();
    kept = Var(tensor({2.0}));
    EXPECT_EQ(live_var_count(), before + 1);
  }).join();
  EXPECT_EQ(live_var_count(), before + 1);
  kept = Var();
  EXPECT_EQ(live_var_count(), before);
}

TEST(Var, LongChainIsDestroyedWithoutRecursion) {
  const int64_t before = live_var_count();
  {
    Var x(tensor({1.0}), true);
    Var total = x;
    for (int i = 0; i < 200000; ++i) total = total + 1.0;
  }
  EXPECT_EQ(live_var_count(), before);
}

}  // namespace
}  // namespace rein
