// Tensor core: Shape, construction, element access, dtype conversion, copies, creation, printing.
#include "tensor/tensor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tensor/ops.h"
#include "tests/tensor/test_util.h"

namespace rein {
namespace {

using testing::expect_error;
using testing::expect_tensor;

TEST(Shape, StoresDimsInlineAndComputesNumel) {
  Shape s{2, 3, 4};
  EXPECT_EQ(s.size(), 3);
  EXPECT_EQ(s.numel(), 24);
  EXPECT_EQ(Shape{}.numel(), 1);
  EXPECT_EQ(to_string(s), "[2, 3, 4]");
  EXPECT_TRUE(s == Shape(std::vector<int64_t>{2, 3, 4}));
  EXPECT_FALSE(s == Shape({2, 3}));
}

TEST(Shape, RejectsMoreThanEightDims) {
  Shape s{1, 1, 1, 1, 1, 1, 1, 1};
  expect_error([&] { s.push_back(1); }, "Shape: at most 8 dims");
}

TEST(Tensor, DefaultConstructedIsUndefined) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_EQ(to_string(t), "tensor(undefined)");
  expect_error([&] { (void)t.item(); }, "item: tensor is undefined");
}

TEST(Tensor, HasContiguousStridesAndDtype) {
  Tensor t(Shape{2, 3, 4}, Dtype::Float64);
  EXPECT_EQ(to_string(t.strides()), "[12, 4, 1]");
  EXPECT_EQ(t.dtype(), Dtype::Float64);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.size(-1), 4);
  EXPECT_TRUE(t.is_contiguous());
  expect_error([] { Tensor(Shape{2, -1}); }, "Tensor: negative dimension in shape [2, -1]");
}

TEST(Tensor, StorageIsCacheLineAligned) {
  for (int64_t n : {1, 3, 17, 1000}) {
    Tensor t = zeros({n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data<float>()) % 64, 0u) << n;
  }
}

TEST(Tensor, DataChecksTheDtype) {
  Tensor t = zeros({2});
  expect_error([&] { t.data<double>(); }, "data: tensor has dtype float32, requested float64");
}

TEST(Tensor, ItemAndAtReadValues) {
  Tensor t = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(t.at({1, 2}), 6);
  EXPECT_EQ(t.at({-1, 0}), 4);
  EXPECT_EQ(scalar(2.5).item(), 2.5);
  EXPECT_EQ(tensor({7}).item<int>(), 7);
  expect_error([&] { (void)t.item(); }, "item: a tensor with 6 elements (shape [2, 3])");
  expect_error([&] { (void)t.at({2, 0}); }, "at: index 2 out of range for dim 0 of shape [2, 3]");
  expect_error([&] { (void)t.at({0}); }, "at: expected 2 indices for shape [2, 3], got 1");
}

TEST(Tensor, CopiesShareStorageAndCloneDoesNot) {
  Tensor a = zeros({3});
  Tensor b = a;
  Tensor c = a.clone();
  b.fill_(2);
  EXPECT_EQ(a.at({0}), 2);
  EXPECT_EQ(c.at({0}), 0);
  EXPECT_TRUE(a.shares_storage(b));
  EXPECT_FALSE(a.shares_storage(c));
}

TEST(Tensor, ToConvertsDtypes) {
  Tensor f = tensor({-1.5, 0, 2.7});
  EXPECT_TRUE(f.to(Dtype::Float32).shares_storage(f));
  expect_tensor(f.to(Dtype::Int64), {3}, {-1, 0, 2});
  expect_tensor(f.to(Dtype::Bool), {3}, {1, 0, 1});
  expect_tensor(f.to(Dtype::Float64), {3}, {-1.5, 0, 2.7}, 1e-6);
  EXPECT_EQ(f.to(Dtype::Float64).dtype(), Dtype::Float64);
  EXPECT_EQ(std::string(dtype_name(Dtype::Int64)), "int64");
  EXPECT_EQ(element_size(Dtype::Bool), 1u);
  EXPECT_TRUE(is_floating(Dtype::Float64));
  EXPECT_FALSE(is_floating(Dtype::Int64));
}

TEST(Tensor, CopyBroadcastsAndConverts) {
  Tensor dst = zeros({2, 3}, Dtype::Float64);
  dst.copy_(tensor({1, 2, 3}));
  expect_tensor(dst, {2, 3}, {1, 2, 3, 1, 2, 3});
  expect_error(
      [&] {
        dst.copy_(tensor({1, 2}));
      },
      "copy_: shape [2] cannot be broadcast to [2, 3]");
  expect_error(
      [&] {
        dst.copy_(zeros({4, 3}));
      },
      "copy_: shape [4, 3] cannot be broadcast to [2, 3]");
}

TEST(Tensor, CopyFromAnOverlappingViewReadsTheOldValues) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  a.copy_(a.t());
  expect_tensor(a, {2, 2}, {1, 3, 2, 4});
}

TEST(Tensor, InPlaceOpsWriteThroughViews) {
  Tensor a = zeros({2, 3});
  a.select(0, 1).fill_(5);
  a.narrow(1, 0, 1).add_(ones({2, 1}), 2.0);
  expect_tensor(a, {2, 3}, {2, 0, 0, 7, 5, 5});
  a.t().mul_(2.0);
  expect_tensor(a, {2, 3}, {4, 0, 0, 14, 10, 10});
  a.sub_(tensor({1, 1, 1})).div_(full({1}, 2));
  expect_tensor(a, {2, 3}, {1.5, -0.5, -0.5, 6.5, 4.5, 4.5});
  a.mul_(tensor({2, 0, 1})).clamp_(0, 5);
  expect_tensor(a, {2, 3}, {3, 0, 0, 5, 0, 4.5});
  a.zero_();
  expect_tensor(a, {2, 3}, {0, 0, 0, 0, 0, 0});
}

TEST(Tensor, AddInPlaceOfItselfDoubles) {
  Tensor a = tensor({1, 2});
  a.add_(a);
  expect_tensor(a, {2}, {2, 4});
  Tensor b = tensor({1, 2, 3});
  b.narrow(0, 1, 2).add_(b.narrow(0, 0, 2));  // overlapping: reads the old values
  expect_tensor(b, {3}, {1, 3, 5});
}

TEST(Tensor, InPlaceErrorsNameShapesAndDtypes) {
  Tensor a = zeros({2, 3});
  expect_error([&] { a.add_(zeros({3, 3})); }, "add_: shape [3, 3] cannot be broadcast to [2, 3]");
  expect_error(
      [&] {
        a.add_(zeros({1, 3, 1}));
      },
      "add_: shape [1, 3, 1] cannot be broadcast to [2, 3]");
  expect_error([&] { a.mul_(zeros({3}, Dtype::Float64)); },
               "mul_: dtypes float32 and float64 differ (shapes [2, 3] and [3])");
}

TEST(Creation, FillsValues) {
  expect_tensor(zeros({2, 2}), {2, 2}, {0, 0, 0, 0});
  expect_tensor(ones({3}, Dtype::Int64), {3}, {1, 1, 1});
  expect_tensor(full({2}, 3.5, Dtype::Float64), {2}, {3.5, 3.5});
  expect_tensor(scalar(4), {}, {4});
  expect_tensor(eye(3), {3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  expect_tensor(zeros_like(eye(2, Dtype::Float64)), {2, 2}, {0, 0, 0, 0});
  EXPECT_EQ(ones_like(eye(2, Dtype::Int64)).dtype(), Dtype::Int64);
  expect_tensor(full_like(zeros({2}), 7), {2}, {7, 7});
  EXPECT_EQ(empty_like(zeros({4, 1})).shape(), Shape({4, 1}));
  EXPECT_EQ(empty({0, 3}).numel(), 0);
}

TEST(Creation, ArangeAndLinspaceMatchPyTorch) {
  expect_tensor(arange(5), {5}, {0, 1, 2, 3, 4});
  expect_tensor(arange(1, 2, 0.25), {4}, {1, 1.25, 1.5, 1.75});
  expect_tensor(arange(5, 0, -2, Dtype::Int64), {3}, {5, 3, 1});
  expect_tensor(arange(0), {0}, {});
  expect_tensor(linspace(0, 1, 5), {5}, {0, 0.25, 0.5, 0.75, 1});
  expect_tensor(linspace(2, 2, 1), {1}, {2});
  EXPECT_EQ(linspace(-1, 3, 7, Dtype::Float64).at({6}), 3.0);
  expect_error([] { arange(0, 1, 0); }, "arange: invalid range start=0 end=1 step=0");
  expect_error([] { arange(0, 1, -1); }, "arange: step -1 does not lead from 0 to 1");
}

TEST(Creation, FromVectorAndInitializerLists) {
  expect_tensor(from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2}), {2, 2}, {1, 2, 3, 4});
  Tensor i = from_vector(std::vector<int64_t>{5, 6});
  EXPECT_EQ(i.dtype(), Dtype::Int64);
  Tensor b = from_vector(std::vector<bool>{true, false});
  EXPECT_EQ(b.dtype(), Dtype::Bool);
  expect_tensor(b, {2}, {1, 0});
  expect_tensor(tensor({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}), {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(tensor({1, 2}, Dtype::Float64).dtype(), Dtype::Float64);
  expect_error(
      [] {
        from_vector(std::vector<float>{1, 2, 3}, {2, 2});
      },
      "from_vector: 3 values do not fill shape [2, 2] (4 elements)");
  expect_error([] { tensor({{1, 2}, {3}}); }, "tensor: rows of different lengths (2 and 1)");
}

TEST(Tensor, TolistIsRowMajorOfTheView) {
  Tensor t = tensor({{1, 2}, {3, 4}}).t();
  EXPECT_EQ(t.tolist(), (std::vector<double>{1, 3, 2, 4}));
  EXPECT_FALSE(t.is_contiguous());
  Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_FALSE(c.shares_storage(t));
  EXPECT_TRUE(c.contiguous().shares_storage(c));
}

TEST(Print, MatchesPyTorchLayout) {
  EXPECT_EQ(to_string(tensor({{1, 2}, {3, 4}})),
            "tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]])");
  EXPECT_EQ(to_string(tensor({-1.5, 10})), "tensor([-1.5000, 10.0000])");
  EXPECT_EQ(to_string(scalar(0.5)), "tensor(0.5000)");
  EXPECT_EQ(to_string(tensor({1, 2}, Dtype::Float64)), "tensor([1.0000, 2.0000], dtype=float64)");
  EXPECT_EQ(to_string(arange(3, Dtype::Int64)), "tensor([0, 1, 2])");
  EXPECT_EQ(to_string(eye(2, Dtype::Bool)), "tensor([[ True, False],\n        [False,  True]])");
  EXPECT_EQ(to_string(zeros({0, 3})), "tensor([], size=(0, 3))");
  EXPECT_EQ(to_string(zeros({0})), "tensor([])");
  EXPECT_EQ(to_string(tensor({1e-5, 1})), "tensor([1.0000e-05, 1.0000e+00])");
  EXPECT_EQ(to_string(tensor({NAN, INFINITY})), "tensor([nan, inf])");
  EXPECT_EQ(to_string(arange(8, Dtype::Int64).reshape({2, 2, 2})),
            "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])");
}

TEST(Print, SummarisesLargeTensors) {
  EXPECT_EQ(to_string(arange(2000, Dtype::Int64)),
            "tensor([   0,    1,    2, ..., 1997, 1998, 1999])");
  std::ostringstream os;
  os << Shape{2, 3};
  EXPECT_EQ(os.str(), "[2, 3]");
}

}  // namespace
}  // namespace rein
