// Views: reshape/view, flatten, squeeze/unsqueeze, transpose/permute, narrow/slice/select,
// expand, repeat; aliasing between a view and its base.
#include <gtest/gtest.h>

#include "tensor/ops.h"
#include "tensor/tensor.h"
#include "tests/tensor/test_util.h"

namespace rein {
namespace {

using testing::expect_error;
using testing::expect_tensor;

TEST(View, ReshapeOfContiguousSharesStorage) {
  Tensor a = arange(6);
  Tensor b = a.reshape({2, -1});
  EXPECT_TRUE(b.shares_storage(a));
  expect_tensor(b, {2, 3}, {0, 1, 2, 3, 4, 5});
  b.fill_(1);
  EXPECT_EQ(a.at({5}), 1);
}

TEST(View, ReshapeOfTransposeCopiesButViewOfCompatibleStridesDoesNot) {
  Tensor a = arange(6).reshape({2, 3});
  Tensor t = a.t();
  Tensor r = t.reshape({6});
  EXPECT_FALSE(r.shares_storage(a));
  expect_tensor(r, {6}, {0, 3, 1, 4, 2, 5});
  expect_error([&] { t.view({6}); }, "view: shape [6] is incompatible with the strides");
  // Splitting one dim of a strided tensor is a view.
  Tensor s = arange(12).reshape({3, 4}).slice(1, 0, 4, 2);  // (3, 2), strides (4, 2)
  Tensor v = s.view({3, 2, 1});
  EXPECT_TRUE(v.shares_storage(s));
  expect_tensor(v, {3, 2, 1}, {0, 2, 4, 6, 8, 10});
  Tensor w = a.t().view({3, 1, 2});
  expect_tensor(w, {3, 1, 2}, {0, 3, 1, 4, 2, 5});
}

TEST(View, ReshapeErrorsNameTheShape) {
  Tensor a = arange(6);
  expect_error(
      [&] {
        a.reshape({4, -1});
      },
      "reshape: shape [4, -1] is invalid for input of size 6");
  expect_error([&] { a.reshape({-1, -1}); }, "reshape: only one dimension can be -1");
  expect_error([&] { a.view({5}); }, "view: shape [5] is invalid for input of size 6");
  expect_tensor(zeros({0, 3}).reshape({3, 0, 5}).reshape({0}), {0}, {});
  // -1 cannot be inferred next to a 0 (any size would do), as in PyTorch.
  expect_error(
      [] {
        zeros({0, 3}).reshape({3, -1, 0});
      },
      "reshape: shape [3, -1, 0] is invalid for input of size 0");
}

TEST(View, FlattenSqueezeUnsqueeze) {
  Tensor a = zeros({2, 1, 3, 1});
  EXPECT_EQ(a.flatten().shape(), Shape({6}));
  EXPECT_EQ(a.flatten(1).shape(), Shape({2, 3}));
  EXPECT_EQ(a.flatten(0, 1).shape(), Shape({2, 3, 1}));
  EXPECT_EQ(scalar(1).flatten().shape(), Shape({1}));
  EXPECT_EQ(a.squeeze().shape(), Shape({2, 3}));
  EXPECT_EQ(a.squeeze(1).shape(), Shape({2, 3, 1}));
  EXPECT_EQ(a.squeeze(0).shape(), Shape({2, 1, 3, 1}));  // size 2: a no-op, as in PyTorch
  EXPECT_EQ(a.unsqueeze(0).shape(), Shape({1, 2, 1, 3, 1}));
  EXPECT_EQ(a.unsqueeze(-1).shape(), Shape({2, 1, 3, 1, 1}));
  EXPECT_EQ(scalar(1).unsqueeze(0).shape(), Shape({1}));
  EXPECT_EQ(squeeze(a, -1).shape(), Shape({2, 1, 3}));
  EXPECT_EQ(unsqueeze(a, 2).shape(), Shape({2, 1, 1, 3, 1}));
  EXPECT_EQ(flatten(a, 2).shape(), Shape({2, 1, 3}));
  expect_error([&] { a.squeeze(4); }, "squeeze: dim 4 out of range for a tensor of rank 4");
  expect_error([&] { a.flatten(2, 1); }, "flatten: start_dim 2 comes after end_dim 1");
}

TEST(View, TransposeAndPermuteAlias) {
  Tensor a = arange(24).reshape({2, 3, 4});
  Tensor p = a.permute({2, 0, 1});
  EXPECT_EQ(p.shape(), Shape({4, 2, 3}));
  EXPECT_EQ(p.at({3, 1, 2}), a.at({1, 2, 3}));
  EXPECT_TRUE(p.shares_storage(a));
  Tensor t = transpose(a, 0, -1);
  EXPECT_EQ(t.shape(), Shape({4, 3, 2}));
  EXPECT_EQ(t.at({1, 2, 0}), a.at({0, 2, 1}));
  EXPECT_EQ(permute(a, {0, 1, 2}).tolist(), a.tolist());
  expect_error([&] { a.permute({0, 0, 1}); }, "permute: dims [0, 0, 1] repeat dim 0");
  expect_error(
      [&] {
        a.permute({0, 1});
      },
      "permute: dims [0, 1] do not match a tensor of shape [2, 3, 4]");
  expect_error([&] { a.t(); }, "t: expected a tensor of rank <= 2, got shape [2, 3, 4]");
  EXPECT_EQ(arange(3).t().shape(), Shape({3}));
}

TEST(View, NarrowSliceSelect) {
  Tensor a = arange(12).reshape({3, 4});
  expect_tensor(a.narrow(1, 1, 2), {3, 2}, {1, 2, 5, 6, 9, 10});
  expect_tensor(narrow(a, 0, -1, 1), {1, 4}, {8, 9, 10, 11});
  expect_tensor(a.slice(1, 1, 100, 2), {3, 2}, {1, 3, 5, 7, 9, 11});
  expect_tensor(a.slice(0, -2, 3), {2, 4}, {4, 5, 6, 7, 8, 9, 10, 11});
  expect_tensor(a.slice(0, 3, 1), {0, 4}, {});
  expect_tensor(a.select(1, -1), {3}, {3, 7, 11});
  expect_tensor(a.select(0, 1).select(0, 2), {}, {6});
  a.slice(1, 0, 4, 3).fill_(-1);
  expect_tensor(a.select(0, 0), {4}, {-1, 1, 2, -1});
  expect_error([&] { a.narrow(1, 3, 2); },
               "narrow: start 3 and length 2 out of range for dim 1 of shape [3, 4]");
  expect_error([&] { a.select(0, 3); }, "select: index 3 out of range for dim 0 of shape [3, 4]");
  expect_error([&] { a.slice(0, 0, 2, 0); }, "slice: step must be positive, got 0");
}

TEST(View, ExpandUsesStrideZero) {
  Tensor a = tensor({1, 2, 3});
  Tensor e = a.expand({2, 3});
  EXPECT_EQ(to_string(e.strides()), "[0, 1]");
  expect_tensor(e, {2, 3}, {1, 2, 3, 1, 2, 3});
  Tensor c = tensor({1, 2}).unsqueeze(1);
  expect_tensor(expand(c, {-1, 3}), {2, 3}, {1, 1, 1, 2, 2, 2});
  expect_tensor(c.expand({2, 2, 0}), {2, 2, 0}, {});
  expect_error([&] { a.expand({2, 4}); }, "expand: shape [3] cannot be expanded to [2, 4]");
  expect_error([&] { a.expand({}); }, "expand: shape [3] cannot be expanded to []");
}

TEST(View, RepeatTilesAndCopies) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  expect_tensor(a.repeat({1, 2}), {2, 4}, {1, 2, 1, 2, 3, 4, 3, 4});
  expect_tensor(a.repeat({2, 1, 1}), {2, 2, 2}, {1, 2, 3, 4, 1, 2, 3, 4});
  expect_tensor(tensor({5, 6}).repeat({2, 2}), {2, 4}, {5, 6, 5, 6, 5, 6, 5, 6});
  Tensor same = a.repeat({1, 1});
  EXPECT_FALSE(same.shares_storage(a));
  expect_tensor(a.repeat({0, 1}), {0, 2}, {});
  expect_error([&] { a.repeat({2}); }, "repeat: 1 repeats given for a tensor of shape [2, 2]");
}

TEST(View, EmptyTensorsHaveViewsToo) {
  Tensor e = zeros({0, 4});
  EXPECT_EQ(e.t().shape(), Shape({4, 0}));
  EXPECT_TRUE(e.t().is_contiguous());
  EXPECT_EQ(e.reshape({2, 0, 2}).numel(), 0);
  EXPECT_EQ(e.clone().numel(), 0);
  EXPECT_EQ(e.tolist().size(), 0u);
}

}  // namespace
}  // namespace rein
