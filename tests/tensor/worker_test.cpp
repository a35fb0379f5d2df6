// Worker: both halves run, on two threads, and errors from either reach the caller.
#include "tensor/worker.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace rein {
namespace {

TEST(Worker, RunsOneHalfOnItsThreadAndWaitsForBoth) {
  Worker worker;
  for (int round = 0; round < 100; ++round) {
    std::thread::id a_thread, b_thread;
    int a = 0, b = 0;
    worker.run_pair(
        [&] {
          a_thread = std::this_thread::get_id();
          a = round;
        },
        [&] {
          b_thread = std::this_thread::get_id();
          b = round;
        });
    EXPECT_EQ(a, round);
    EXPECT_EQ(b, round);
    EXPECT_EQ(b_thread, std::this_thread::get_id());
    EXPECT_NE(a_thread, b_thread);
  }
}

TEST(Worker, WithoutAWorkerRunsBothHalvesInOrderHere) {
  std::vector<int> order;
  run_pair(
      nullptr, [&] { order.push_back(1); }, [&] { order.push_back(2); });
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(Worker, RethrowsAnErrorOfEitherHalfAfterBothFinished) {
  Worker worker;
  bool other_ran = false;
  EXPECT_THROW(
      worker.run_pair([] { throw std::runtime_error("worker half"); }, [&] { other_ran = true; }),
      std::runtime_error);
  EXPECT_TRUE(other_ran);
  other_ran = false;
  EXPECT_THROW(
      worker.run_pair([&] { other_ran = true; }, [] { throw std::runtime_error("caller half"); }),
      std::runtime_error);
  EXPECT_TRUE(other_ran);
  int after = 0;
  worker.run_pair([&] { after = 1; }, [] {});  // still usable
  EXPECT_EQ(after, 1);
}

}  // namespace
}  // namespace rein
