// uint8 image observations through the envs layer: Box(0, 255, shape, uint8) membership,
// sampling, repr and bad bounds; vector envs (sync and threaded) batching CarRacing's frames;
// the observation wrappers that cast to float32; frame stacking.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "envs/frame_stack.h"
#include "envs/registry.h"
#include "envs/spaces.h"
#include "envs/vector_env.h"
#include "envs/wrappers.h"

namespace rein::envs {
namespace {

TEST(ImageBox, ContainsSamplesAndPrintsLikeGymnasium) {
  const Space space = Box(0, 255, Shape{4, 5, 3}, Dtype::UInt8);
  EXPECT_EQ(space.to_string(), "Box(0, 255, (4, 5, 3), uint8)");
  EXPECT_EQ(space.dtype(), Dtype::UInt8);
  EXPECT_EQ(space.flat_dim(), 60);
  NpRandom rng(7);
  const Tensor x = space.sample(rng);
  EXPECT_EQ(x.dtype(), Dtype::UInt8);
  EXPECT_TRUE(space.contains(x));
  EXPECT_FALSE(space.contains(x.to(Dtype::Float32)));  // dtype must match, as NumPy's
  // NumPy: Box.sample for integer dtypes is floor(uniform(low, high + 1)); the same stream.
  NpRandom again(7);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double expected = std::floor(0.0 + 256.0 * again.random());
    EXPECT_EQ(x.data<uint8_t>()[i], expected) << i;
  }
  const Space narrow = Box(10, 20, Shape{2}, Dtype::UInt8);
  const Tensor outside = from_vector<uint8_t>({10, 21});
  EXPECT_NE(narrow.why_not_contains(outside).find("element 1 = 21"), std::string::npos);
}

TEST(ImageBox, RejectsBoundsNoByteHolds) {
  EXPECT_THROW(Box(-1, 255, Shape{2}, Dtype::UInt8), Error);
  EXPECT_THROW(Box(0, 256, Shape{2}, Dtype::UInt8), Error);
  EXPECT_THROW(Box(0, 0.5, Shape{2}, Dtype::UInt8), Error);
  const Space space = Box(0, 255, Shape{2}, Dtype::UInt8);
  const std::vector<double> bad = {3, 300};
  EXPECT_THROW(space.from_values(bad), Error);
  const std::vector<double> good = {3, 250};
  EXPECT_EQ(space.from_values(good).data<uint8_t>()[1], 250);
}

TEST(ImageBox, UInt8TensorsCopyCastAndKeepTheirBytes) {
  Tensor t = zeros(Shape{2, 3}, Dtype::UInt8);
  EXPECT_EQ(element_size(Dtype::UInt8), 1u);
  EXPECT_STREQ(dtype_name(Dtype::UInt8), "uint8");
  t.data<uint8_t>()[4] = 200;
  const Tensor f = t.to(Dtype::Float32);
  EXPECT_EQ(f.data<float>()[4], 200.0f);
  EXPECT_EQ(t.clone().data<uint8_t>()[4], 200);
  EXPECT_EQ(t.raw_data(), static_cast<const void*>(t.data<uint8_t>()));
  EXPECT_EQ(t.select(0, 1).raw_data(), static_cast<const void*>(t.data<uint8_t>() + 3));
  EXPECT_EQ(t.at({1, 1}), 200.0);
  EXPECT_THROW(t.data<float>(), Error);
}

std::vector<std::unique_ptr<Env>> car_envs(int n) {
  std::vector<std::unique_ptr<Env>> envs;
  for (int i = 0; i < n; ++i) envs.push_back(make("CarRacing-v3", {{"continuous", "false"}}));
  return envs;
}

TEST(ImageBox, VectorEnvsBatchFramesAndTheyAgree) {
  SyncVectorEnv sync(car_envs(2));
  ThreadedVectorEnv threaded(car_envs(2), 2);
  const VectorStep& a = sync.reset(11);
  const VectorStep& b = threaded.reset(11);
  ASSERT_EQ(a.obs.dtype(), Dtype::UInt8);
  EXPECT_EQ(a.obs.shape(), (Shape{2, 96, 96, 3}));
  auto same = [](const Tensor& x, const Tensor& y) {
    return std::equal(x.data<uint8_t>(), x.data<uint8_t>() + x.numel(), y.data<uint8_t>());
  };
  EXPECT_TRUE(same(a.obs, b.obs));
  // Env 1 was reset with seed 12: its frame is its own, not a copy of env 0's.
  auto single = make("CarRacing-v3", {{"continuous", "false"}});
  const ResetResult r = single->reset(12);
  EXPECT_TRUE(std::equal(r.obs.data<uint8_t>(), r.obs.data<uint8_t>() + r.obs.numel(),
                         a.obs.data<uint8_t>() + r.obs.numel()));
  const Tensor actions = from_vector<int64_t>({3, 1});
  for (int t = 0; t < 5; ++t) {
    sync.step(actions);
    threaded.step(actions);
  }
  EXPECT_TRUE(same(a.obs, b.obs));
}

TEST(ImageBox, ObservationWrappersCastFramesToFloat) {
  FlattenObservation flat(make("CarRacing-v3"));
  EXPECT_EQ(flat.observation_space().to_string(), "Box(0.0, 255.0, (27648,), float32)");
  const ResetResult r = flat.reset(4);
  EXPECT_EQ(r.obs.dtype(), Dtype::Float32);
  EXPECT_EQ(r.obs.numel(), 27648);
  NormalizeObservation norm(make("CarRacing-v3"));
  EXPECT_EQ(norm.reset(4).obs.dtype(), Dtype::Float32);
}

bool same_bytes(const Tensor& a, int64_t slot, const Tensor& frame) {
  const uint8_t* p = a.data<uint8_t>() + slot * frame.numel();
  return std::equal(p, p + frame.numel(), frame.data<uint8_t>());
}

TEST(ImageBox, FrameStackKeepsTheLastFramesOldestFirst) {
  FrameStackObservation stack(make("CarRacing-v3", {{"continuous", "false"}}), 4);
  EXPECT_EQ(stack.observation_space().to_string(), "Box(0, 255, (4, 96, 96, 3), uint8)");
  auto plain = make("CarRacing-v3", {{"continuous", "false"}});
  const Tensor first = plain->reset(2).obs.clone();
  const ResetResult r = stack.reset(2);
  ASSERT_EQ(r.obs.shape(), (Shape{4, 96, 96, 3}));
  for (int64_t k = 0; k < 4; ++k) EXPECT_TRUE(same_bytes(r.obs, k, first)) << k;
  const Tensor second = plain->step(3).obs.clone();
  const StepResult s = stack.step(3);
  EXPECT_TRUE(stack.observation_space().contains(s.obs));
  for (int64_t k = 0; k < 3; ++k) EXPECT_TRUE(same_bytes(s.obs, k, first)) << k;
  EXPECT_TRUE(same_bytes(s.obs, 3, second));

  FrameStackObservation zero(make("CarRacing-v3"), 2, "zero");
  const ResetResult z = zero.reset(2);
  EXPECT_TRUE(same_bytes(z.obs, 1, first));
  const uint8_t* p = z.obs.data<uint8_t>();
  EXPECT_TRUE(std::all_of(p, p + first.numel(), [](uint8_t v) { return v == 0; }));
}

TEST(ImageBox, FrameStackRejectsWhatItCannotStack) {
  EXPECT_THROW(FrameStackObservation(make("FrozenLake-v1"), 4), Error);
  EXPECT_THROW(FrameStackObservation(make("CarRacing-v3"), 0), Error);
  EXPECT_THROW(FrameStackObservation(make("CarRacing-v3"), 4, "edge"), Error);
}

}  // namespace
}  // namespace rein::envs
