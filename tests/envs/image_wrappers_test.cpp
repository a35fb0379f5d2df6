// GrayscaleObservation, ResizeObservation, FrameSkip and make()'s "wrappers" argument on known
// images: values worked out by hand from Gymnasium's formulas (luminance weights and truncating
// cast; area means rounded to nearest), and ResizeObservation against OpenCV's INTER_AREA pixel
// for pixel (tests/envs/data/resize_inter_area.jsonl, written by generate_resize.py).
#include "envs/image_wrappers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <vector>

#include "envs/np_random.h"
#include "envs/registry.h"
#include "tests/envs/reference_data.h"

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

// The input a fixture case describes: its bytes, or NumPy's default_rng(seed).integers(0, 256,
// size=n) regenerated with NpRandom (checked against the recorded checksum).
std::vector<uint8_t> fixture_input(const nlohmann::json& c, int64_t n) {
  if (c.contains("input")) return testing::base64_decode(c["input"].get<std::string>());
  NpRandom rng(c["seed"].get<uint64_t>());
  std::vector<uint8_t> v(static_cast<size_t>(n));
  uint64_t checksum = 0;
  for (int64_t i = 0; i < n; ++i) {
    v[static_cast<size_t>(i)] = static_cast<uint8_t>(rng.integers(0, 256));
    checksum += static_cast<uint64_t>(i + 1) * v[static_cast<size_t>(i)];
  }
  EXPECT_EQ(checksum % (uint64_t{1} << 32), c["input_checksum"].get<uint64_t>())
      << c["name"] << ": the regenerated input is not NumPy's";
  return v;
}

// Every case of the OpenCV fixture through the wrapper as users ask for it (make()'s wrappers
// spec), every pixel equal. REIN_RESIZE_FIXTURE names another fixture (e.g. the generator's
// --random cases) to check instead.
TEST(ResizeObservation, EqualsOpenCVInterAreaPixelForPixel) {
  const char* other = std::getenv("REIN_RESIZE_FIXTURE");
  const auto lines = other != nullptr ? testing::read_jsonl_at(other)
                                      : testing::read_jsonl("resize_inter_area.jsonl");
  ASSERT_GT(lines.size(), 1u);
  EXPECT_TRUE(lines[0].contains("opencv_version"));
  int64_t cases = 0, pixels_checked = 0;
  for (size_t k = 1; k < lines.size(); ++k) {
    const nlohmann::json& c = lines[k];
    const std::string name = c["name"];
    const Shape in_shape(c["in_shape"].get<std::vector<int64_t>>());
    const int64_t h = c["out_shape"][0], w = c["out_shape"][1];
    const int64_t n = in_shape.numel();
    const std::vector<uint8_t> input = fixture_input(c, n);
    ASSERT_EQ(static_cast<int64_t>(input.size()), n) << name;
    auto env = apply_wrappers(std::make_unique<PictureEnv>(image(input, in_shape)),
                              str("ResizeObservation(shape=", h, "x", w, ")"));
    Shape out_shape{h, w};
    if (in_shape.size() == 3) out_shape.push_back(in_shape[2]);
    const Tensor obs = env->reset(0).obs.contiguous().clone();
    ASSERT_EQ(obs.shape(), out_shape) << name;
    const std::vector<uint8_t> expected = testing::base64_decode(c["output"].get<std::string>());
    ASSERT_EQ(static_cast<int64_t>(expected.size()), obs.numel()) << name;
    int64_t differing = 0, worst = 0;
    std::ostringstream first;
    for (int64_t i = 0; i < obs.numel(); ++i) {
      const int got = obs.data<uint8_t>()[i], want = expected[static_cast<size_t>(i)];
      if (got == want) continue;
      if (differing++ < 5) first << " [" << i << "] " << got << " vs " << want << ";";
      worst = std::max<int64_t>(worst, std::abs(got - want));
    }
    EXPECT_EQ(differing, 0) << name << ": " << differing << " of " << obs.numel()
                            << " values differ from OpenCV's (at most by " << worst
                            << "); first, rein vs OpenCV:" << first.str();
    // A step reuses the wrapper's buffers: the same frame again gives the same bytes.
    const Tensor again = env->step(int64_t{0}).obs.contiguous();
    EXPECT_EQ(std::memcmp(again.data<uint8_t>(), obs.data<uint8_t>(), obs.numel()), 0) << name;
    ++cases;
    pixels_checked += obs.numel();
  }
  RecordProperty("cases", static_cast<int>(cases));
  RecordProperty("values", static_cast<int>(pixels_checked));
}

TEST(ResizeObservation, BadShapesAndSpaces) {
  EXPECT_THROW(ResizeObservation(std::make_unique<PictureEnv>(image({1}, Shape{1, 1})), 0, 4),
               Error);
  EXPECT_THROW(ResizeObservation(make("Pendulum-v1"), 2, 2), Error);
  // An image without pixels (OpenCV asserts): a message, not a read before the first row.
  try {
    ResizeObservation r(std::make_unique<PictureEnv>(image({}, Shape{0, 4, 3})), 2, 2);
    FAIL() << "a 0x4 image has nothing to resize";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no pixels"), std::string::npos) << e.what();
  }
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

// make("CarRacing-v3") with the "wrappers" argument `spec`: the error's message, or "no error".
std::string message(const std::string& spec) {
  try {
    make("CarRacing-v3", {{"wrappers", spec}});
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(WrapperSpec, MistakesAreNamed) {
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

TEST(WrapperSpec, SizesBeyondAnyUseAreRefusedBeforeAllocating) {
  // A stack of 1e8 frames or a 100000x100000 resize asked make() for gigabytes (std::bad_alloc,
  // or the machine's memory), and FrameSkip(skip=1e12) made one step run for days.
  EXPECT_EQ(message("FrameStackObservation(stack_size=100000000)"),
            "FrameStackObservation: stack_size must be an integer in [1, 1024], got 100000000");
  EXPECT_EQ(message("FrameStackObservation(stack_size=1024)"),
            "FrameStackObservation: stack_size must be an integer in [1, 606] for [96, 96, 3] "
            "observations (a stack holds at most 16777216 values), got 1024");
  EXPECT_EQ(message("ResizeObservation(shape=100000x100000)"),
            "ResizeObservation: shape must be HEIGHTxWIDTH with each side in [1, 2048], got "
            "100000x100000");
  EXPECT_EQ(message("ResizeObservation(shape=64x2049)"),
            "ResizeObservation: shape must be HEIGHTxWIDTH with each side in [1, 2048], got "
            "64x2049");
  // A side beyond int64 was refused with the format hint, as if "HEIGHTxWIDTH" were misspelt;
  // a side below 1 reaches the range check too.
  EXPECT_EQ(message("ResizeObservation(shape=99999999999999999999x64)"),
            "ResizeObservation: shape side 99999999999999999999 is outside [1, 2048]");
  EXPECT_EQ(message("ResizeObservation(shape=-99999999999999999999)"),
            "ResizeObservation: shape side -99999999999999999999 is outside [1, 2048]");
  EXPECT_NE(message("ResizeObservation(shape=99999999999999999999ax64)").find("HEIGHTxWIDTH (e.g."),
            std::string::npos);
  EXPECT_EQ(message("ResizeObservation(shape=0x64)"),
            "ResizeObservation: shape must be HEIGHTxWIDTH with each side in [1, 2048], got 0x64");
  EXPECT_EQ(message("FrameSkip(skip=1000000000000)"),
            "FrameSkip: skip must be an integer in [1, 1000], got 1000000000000");
  // An image whose channels make a resized frame too large is refused, not multiplied out.
  EXPECT_THROW(ResizeObservation(std::make_unique<PictureEnv>(zeros({1, 1, 1 << 20}, Dtype::UInt8)),
                                 2048, 2048),
               Error);
  // At the limits the pipeline builds.
  auto env =
      make("CarRacing-v3", {{"wrappers",
                             "FrameSkip(skip=1000), ResizeObservation(shape=2x2048), "
                             "GrayscaleObservation, FrameStackObservation(stack_size=1024)"}});
  EXPECT_EQ(env->observation_space().to_string(), "Box(0, 255, (1024, 2, 2048), uint8)");
}

}  // namespace
}  // namespace rein::envs
