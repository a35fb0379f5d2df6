// gather, scatter_add, index_select, one_hot: values, shapes and bound checks.
#include <gtest/gtest.h>

#include "tensor/ops.h"
#include "tensor/tensor.h"
#include "tests/tensor/test_util.h"

namespace rein {
namespace {

using testing::expect_error;
using testing::expect_tensor;

Tensor idx(std::vector<int64_t> v, const Shape& shape) { return from_vector(v, shape); }

TEST(Gather, PicksAlongADim) {
  Tensor q = tensor({{1, 2, 3}, {4, 5, 6}});
  expect_tensor(gather(q, 1, idx({2, 0}, {2, 1})), {2, 1}, {3, 4});
  expect_tensor(gather(q, 0, idx({1, 0, 1}, {1, 3})), {1, 3}, {4, 2, 6});
  expect_tensor(gather(q.t(), 1, idx({1, 0, 0}, {3, 1})), {3, 1}, {4, 2, 3});
  Tensor b = arange(8).reshape({2, 2, 2});
  expect_tensor(gather(b, 2, idx({1, 0, 0, 1}, {2, 2, 1})), {2, 2, 1}, {1, 2, 4, 7});
}

TEST(Gather, ChecksIndexDtypeShapeAndRange) {
  Tensor q = zeros({2, 3});
  expect_error(
      [&] {
        gather(q, 1, idx({3, 0}, {2, 1}));
      },
      "gather: index 3 is out of bounds for dim 1 with size 3 (shape [2, 3])");
  expect_error([&] { gather(q, 1, idx({-1, 0}, {2, 1})); }, "gather: index -1 is out of bounds");
  expect_error(
      [&] {
        gather(q, 1, zeros({2, 1}));
      },
      "gather: index must be int64, got float32 of shape [2, 1]");
  expect_error(
      [&] {
        gather(q, 1, idx({0, 0, 0}, {3, 1}));
      },
      "gather: index of shape [3, 1] does not fit input of shape [2, 3] along dim 1");
}

TEST(ScatterAdd, AccumulatesRepeatedIndices) {
  Tensor base = zeros({2, 3});
  Tensor src = tensor({{1, 2, 3}, {4, 5, 6}});
  Tensor out = scatter_add(base, 1, idx({0, 0, 2, 1, 1, 1}, {2, 3}), src);
  expect_tensor(out, {2, 3}, {3, 0, 3, 0, 15, 0});
  expect_tensor(base, {2, 3}, {0, 0, 0, 0, 0, 0});  // not modified
  // scatter_add is the adjoint of gather: the gradient of gather(q, 1, i).
  Tensor g = scatter_add(zeros({2, 3}), 1, idx({2, 0}, {2, 1}), ones({2, 1}));
  expect_tensor(g, {2, 3}, {0, 0, 1, 1, 0, 0});
  expect_tensor(scatter_add(zeros({3}), 0, idx({2, 2}, {2}), src.select(0, 0).narrow(0, 0, 2)), {3},
                {0, 0, 3});
  expect_error(
      [&] {
        scatter_add(base, 0, idx({2}, {1, 1}), ones({1, 1}));
      },
      "scatter_add: index 2 is out of bounds for dim 0 with size 2");
  expect_error(
      [&] {
        scatter_add(base, 1, idx({0, 0}, {1, 2}), ones({1, 1}));
      },
      "scatter_add: src of shape [1, 1] is smaller than index of shape [1, 2]");
}

TEST(IndexSelect, CopiesSlabs) {
  Tensor a = arange(6).reshape({3, 2});
  expect_tensor(index_select(a, 0, idx({2, 0, 2}, {3})), {3, 2}, {4, 5, 0, 1, 4, 5});
  expect_tensor(index_select(a, 1, idx({1}, {1})), {3, 1}, {1, 3, 5});
  expect_tensor(index_select(a, 0, idx({}, {0})), {0, 2}, {});
  expect_error([&] { index_select(a, 0, idx({3}, {1})); },
               "index_select: index 3 is out of bounds for dim 0 with size 3 (shape [3, 2])");
  expect_error(
      [&] {
        index_select(a, 0, idx({0, 1}, {1, 2}));
      },
      "index_select: index must be 1-D, got shape [1, 2]");
}

TEST(OneHot, EncodesClasses) {
  Tensor h = one_hot(idx({2, 0}, {2}), 3);
  EXPECT_EQ(h.dtype(), Dtype::Float32);
  expect_tensor(h, {2, 3}, {0, 0, 1, 1, 0, 0});
  expect_tensor(one_hot(idx({1}, {1, 1}), 2, Dtype::Int64), {1, 1, 2}, {0, 1});
  expect_error([] { one_hot(idx({3}, {1}), 3); },
               "one_hot: index 3 is out of bounds for dim 0 with size 3");
  expect_error([] { one_hot(idx({0}, {1}), 0); }, "one_hot: num_classes must be positive, got 0");
}

}  // namespace
}  // namespace rein
