// cat, stack, split, chunk and the free-function spellings of views.
#include <gtest/gtest.h>

#include "tensor/ops.h"
#include "tensor/tensor.h"
#include "tests/tensor/test_util.h"

namespace rein {
namespace {

using testing::expect_error;
using testing::expect_tensor;

TEST(Cat, JoinsAlongAnyDim) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  Tensor b = tensor({{5, 6}});
  expect_tensor(cat({a, b}), {3, 2}, {1, 2, 3, 4, 5, 6});
  expect_tensor(cat({a, a.t()}, 1), {2, 4}, {1, 2, 1, 3, 3, 4, 2, 4});
  expect_tensor(cat({a, zeros({0, 2})}, 0), {2, 2}, {1, 2, 3, 4});
  expect_tensor(cat({a}, -1), {2, 2}, {1, 2, 3, 4});
  EXPECT_FALSE(cat({a}).shares_storage(a));
}

TEST(Cat, ErrorsNameTheOffendingTensor) {
  Tensor a = zeros({2, 2});
  expect_error(
      [&] {
        cat({a, zeros({2, 3})});
      },
      "cat: tensor 1 has shape [2, 3] and dtype float32, expected [2, 2] (float32) except in dim "
      "0");
  expect_error(
      [&] {
        cat({a, zeros({2, 2}, Dtype::Float64)});
      },
      "cat: tensor 1 has shape [2, 2] and dtype float64");
  expect_error([] { cat({}); }, "cat: expected a non-empty list of tensors");
  expect_error([] { cat({scalar(1)}); }, "cat: zero-dimensional tensors cannot be concatenated");
  expect_error([&] { cat({a}, 2); }, "cat: dim 2 out of range");
}

TEST(Stack, AddsANewDim) {
  Tensor a = tensor({1, 2});
  Tensor b = tensor({3, 4});
  expect_tensor(stack({a, b}), {2, 2}, {1, 2, 3, 4});
  expect_tensor(stack({a, b}, 1), {2, 2}, {1, 3, 2, 4});
  expect_tensor(stack({a, b}, -1), {2, 2}, {1, 3, 2, 4});
  expect_tensor(stack({scalar(1), scalar(2)}), {2}, {1, 2});
  expect_error(
      [&] {
        stack({a, tensor({1, 2, 3})});
      },
      "stack: tensor 1 has shape [3], expected [2] like tensor 0");
}

TEST(Split, ReturnsViews) {
  Tensor a = arange(5);
  auto parts = split(a, 2);
  ASSERT_EQ(parts.size(), 3u);
  expect_tensor(parts[0], {2}, {0, 1});
  expect_tensor(parts[2], {1}, {4});
  EXPECT_TRUE(parts[1].shares_storage(a));
  auto chunks = chunk(arange(6).reshape({2, 3}), 2, 1);
  ASSERT_EQ(chunks.size(), 2u);
  expect_tensor(chunks[0], {2, 2}, {0, 1, 3, 4});
  expect_tensor(chunks[1], {2, 1}, {2, 5});
  EXPECT_EQ(chunk(arange(2), 4).size(), 2u);
  expect_error([&] { split(a, 0); }, "split: split_size must be positive, got 0");
  expect_error([&] { chunk(a, 0); }, "chunk: chunks must be positive, got 0");
}

TEST(ShapeOps, FreeFunctionsMatchMethods) {
  Tensor a = arange(6).reshape({2, 3});
  EXPECT_TRUE(equal(reshape(a, {3, 2}), a.reshape({3, 2})));
  EXPECT_TRUE(equal(transpose(a, 0, 1), a.t()));
  EXPECT_TRUE(equal(permute(a, {1, 0}), a.t()));
  EXPECT_TRUE(equal(expand(tensor({1}), {3}), ones({3})));
}

}  // namespace
}  // namespace rein
