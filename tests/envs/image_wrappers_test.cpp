// GrayscaleObservation, ResizeObservation, FrameSkip and make()'s "wrappers" argument on known
// images: values worked out by hand from Gymnasium's formulas (luminance weights and truncating
// cast; area means rounded to nearest).
#include "envs/image_wrappers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "envs/registry.h"

namespace rein::envs {
namespace {

// An env whose observation is a fixed image; each step gives reward 1 and ends after `length`.
class PictureEnv : public Env {
 public:
  PictureEnv(Tensor image, int64_t length = 100) : image_(std::move(image)), length_(length) {
    observation_space_ = Box(0, 255, image_.shape(), Dtype::UInt8);
    action_space_ = Discrete(2);
  }
  ResetResult reset(std::optional<uint64_t> seed, const Kwargs&) override {
    seed_rng(seed);
    steps_ = 0;
    return {image_, info_};
  }
  StepResult step(const Action&) override {
    ++steps_;
    return {image_, 1.0, steps_ >= length_, false, info_};
  }
  int64_t steps() const { return steps_; }

 private:
  Tensor image_;
  int64_t length_;
  int64_t steps_ = 0;
};

Tensor image(const std::vector<uint8_t>& values, Shape shape) {
  return from_vector<uint8_t>(values).reshape(shape).clone();
}

std::vector<int> pixels(const Tensor& t) {
  std::vector<int> out;
  for (int64_t i = 0; i < t.numel(); ++i) out.push_back(t.contiguous().data<uint8_t>()[i]);
  return out;
}

TEST(GrayscaleObservation, LuminanceTruncatedAsGymnasiumCastsIt) {
  // (1, 4, 3): white, pure red, pure green, pure blue.
  auto env = std::make_unique<PictureEnv>(
      image({255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255}, Shape{1, 4, 3}));
  GrayscaleObservation grey(std::move(env));
  EXPECT_EQ(grey.observation_space().to_string(), "Box(0, 255, (1, 4), uint8)");
  // 255 * 0.2125 = 54.19 -> 54; 255 * 0.7154 = 182.43 -> 182; 255 * 0.0721 = 18.39 -> 18; the
  // white pixel sums to 255 * (0.2125 + 0.7154 + 0.0721) = 255 (not 254: no float shortfall).
  EXPECT_EQ(pixels(grey.reset(0).obs), (std::vector<int>{255, 54, 182, 18}));
  EXPECT_EQ(grayscale_pixel(10, 20, 30), 18);  // 2.125 + 14.308 + 2.163 = 18.596 -> 18
  EXPECT_EQ(grayscale_pixel(0, 0, 0), 0);
  // NumPy sums left to right: (18, 4, 254) gives 25 (24.999... would truncate to 24 if the last
  // two products were added first).
  EXPECT_EQ(grayscale_pixel(18, 4, 254), 25);
}

TEST(GrayscaleObservation, KeepDimAndBadSpaces) {
  GrayscaleObservation keep(
      std::make_unique<PictureEnv>(image(std::vector<uint8_t>(12, 100), Shape{2, 2, 3})), true);
  EXPECT_EQ(keep.observation_space().to_string(), "Box(0, 255, (2, 2, 1), uint8)");
  EXPECT_EQ(pixels(keep.reset(0).obs), (std::vector<int>{100, 100, 100, 100}));
  EXPECT_EQ(pixels(keep.step(0).obs), (std::vector<int>{100, 100, 100, 100}));
  // Already grey, or not an image: a message naming the space.
  EXPECT_THROW(GrayscaleObservation(std::make_unique<PictureEnv>(image({1, 2, 3, 4}, Shape{2, 2}))),
               Error);
  try {
    GrayscaleObservation g(make("CartPole-v1"));
    FAIL() << "CartPole's vector is not an image";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(H, W, 3)"), std::string::npos) << e.what();
  }
}

TEST(ResizeObservation, HalvingAveragesBlocksAndRoundsHalvesUp) {
  // 4x4 grey -> 2x2: each output is the mean of a 2x2 block.
  const Tensor in = image({0, 1, 10, 20,    //
                           1, 0, 30, 40,    //
                           255, 255, 7, 7,  //
                           255, 254, 7, 8},
                          Shape{4, 4});
  ResizeObservation small(std::make_unique<PictureEnv>(in), 2, 2);
  EXPECT_EQ(small.observation_space().to_string(), "Box(0, 255, (2, 2), uint8)");
  // 2/4 = 0.5 -> 1 (up, as OpenCV's 2x2 path); 100/4 = 25; 1019/4 = 254.75 -> 255; 29/4 = 7.25.
  EXPECT_EQ(pixels(small.reset(0).obs), (std::vector<int>{1, 25, 255, 7}));
}

TEST(ResizeObservation, ThreeToTwoWeighsPartlyCoveredPixels) {
  // One row of 3 -> 2 (and 1 -> 1 vertically): out[0] = (a + b/2) / 1.5, out[1] = (b/2 + c) / 1.5.
  ResizeObservation r(std::make_unique<PictureEnv>(image({90, 30, 0}, Shape{1, 3})), 1, 2);
  EXPECT_EQ(pixels(r.reset(0).obs), (std::vector<int>{70, 10}));  // 105/1.5, 15/1.5
  // 96x96x3 CarRacing frames to 64x64x3 keep channels apart, and the spec form works.
  auto env = make("CarRacing-v3", {{"wrappers", "ResizeObservation(shape=64x64)"}});
  EXPECT_EQ(env->observation_space().to_string(), "Box(0, 255, (64, 64, 3), uint8)");
  const Tensor obs = env->reset(3).obs.clone();
  auto full = make("CarRacing-v3");
  const Tensor big = full->reset(3).obs.contiguous();
  const uint8_t* b = big.data<uint8_t>();
  // Output (0, 0, c) covers input rows/cols 0 and half of 1: weights (1, 0.5) x (1, 0.5) / 2.25.
  for (int64_t c = 0; c < 3; ++c) {
    auto at = [&](int64_t y, int64_t x) { return static_cast<double>(b[(y * 96 + x) * 3 + c]); };
    const double mean = (at(0, 0) + 0.5 * at(0, 1) + 0.5 * at(1, 0) + 0.25 * at(1, 1)) / 2.25;
    EXPECT_EQ(obs.data<uint8_t>()[c], static_cast<int>(std::nearbyint(mean))) << c;
  }
}

TEST(ResizeObservation, BadShapesAndSpaces) {
  EXPECT_THROW(ResizeObservation(std::make_unique<PictureEnv>(image({1}, Shape{1, 1})), 0, 4),
               Error);
  EXPECT_THROW(ResizeObservation(make("Pendulum-v1"), 2, 2), Error);
}

TEST(FrameSkip, SumsRewardsAndStopsAtTheEpisodeEnd) {
  auto env = std::make_unique<PictureEnv>(image({1}, Shape{1, 1}), 5);
  PictureEnv* inner = env.get();
  FrameSkip skip(std::move(env), 2);
  skip.reset(0);
  EXPECT_EQ(skip.step(0).reward, 2.0);
  EXPECT_EQ(inner->steps(), 2);
  skip.step(0);
  const auto last = skip.step(0);  // step 5 ends the episode: one step of the two
  EXPECT_EQ(last.reward, 1.0);
  EXPECT_TRUE(last.terminated);
  EXPECT_EQ(inner->steps(), 5);
  EXPECT_THROW(FrameSkip(make("CartPole-v1"), 0), Error);
}

TEST(WrapperSpec, TheZooCarRacingPipelineThroughMake) {
  auto env = make("CarRacing-v3",
                  {{"wrappers",
                    "FrameSkip(skip=2), ResizeObservation(shape=64x64), "
                    "GrayscaleObservation(keep_dim=true), FrameStackObservation(stack_size=4)"}});
  EXPECT_EQ(env->observation_space().to_string(), "Box(0, 255, (4, 64, 64, 1), uint8)");
  const Tensor obs = env->reset(1).obs;
  EXPECT_TRUE(env->observation_space().contains(obs));
  float gas[3] = {0.0f, 1.0f, 0.0f};
  EXPECT_TRUE(env->observation_space().contains(env->step(std::span<const float>(gas)).obs));
  EXPECT_EQ(env->spec()->kwargs.at("wrappers").substr(0, 9), "FrameSkip");
}

TEST(WrapperSpec, MistakesAreNamed) {
  auto message = [](const std::string& spec) {
    try {
      make("CarRacing-v3", {{"wrappers", spec}});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("GreyscaleObservation").find("did you mean 'GrayscaleObservation'"),
            std::string::npos);
  EXPECT_NE(message("ResizeObservation(shape=64by64)").find("HEIGHTxWIDTH"), std::string::npos);
  EXPECT_NE(message("ResizeObservation(shape=64x64").find("missing ')'"), std::string::npos);
  EXPECT_NE(message("ResizeObservation()").find("needs shape"), std::string::npos);
  EXPECT_NE(message("FrameSkip(skips=2)").find("skips"), std::string::npos);
  EXPECT_NE(message("FrameSkip(2)").find("key=value"), std::string::npos);
  EXPECT_NE(message("GrayscaleObservation, GrayscaleObservation").find("(H, W, 3)"),
            std::string::npos);
}

}  // namespace
}  // namespace rein::envs
