// CnnPolicy on short runs: which policies take images and the messages of the others, the
// encoder's HWC -> CHW / 255 planes, NatureCNN's layers inside PPO, A2C and DQN, and
// checkpoints that restore the CNN.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "rl/checkpoint.h"
#include "rl/internal/obs_encoder.h"
#include "rl/internal/replay_buffer.h"
#include "rl/metric_sink.h"
#include "rl/trainer.h"
#include "tensor/ops.h"
#include "tests/rl/dot_side_env.h"
#include "tests/rl/test_support.h"

namespace rein::rl {
namespace {

using test_support::error_of;
using test_support::register_dot_side;
using test_support::settings_of;

Settings tiny(const std::string& policy) {
  return settings_of({{"policy", policy},
                      {"n_envs", "2"},
                      {"n_steps", "8"},
                      {"batch_size", "8"},
                      {"total_timesteps", "32"},
                      {"eval_episodes", "2"}});
}

TEST(CnnPolicy, MlpPolicyOnImagesNamesTheFix) {
  register_dot_side();
  const std::string e = error_of([] { Trainer("ppo", "DotSide-v0", {}, Settings{}); });
  EXPECT_NE(e.find("--set policy=CnnPolicy"), std::string::npos) << e;
  const std::string sac = error_of([] { Trainer("sac", "CarRacing-v3", {}, Settings{}); });
  EXPECT_NE(sac.find("policy=CnnPolicy"), std::string::npos) << sac;
  EXPECT_NE(sac.find("ppo, a2c or dqn"), std::string::npos) << sac;
}

TEST(CnnPolicy, CnnPolicyNeedsImagesAndAnAlgorithmThatHasIt) {
  register_dot_side();
  const std::string vec = error_of([] { Trainer("ppo", "CartPole-v1", {}, tiny("CnnPolicy")); });
  EXPECT_NE(vec.find("CnnPolicy needs image observations"), std::string::npos) << vec;
  const std::string sac = error_of([] {
    Trainer("sac", "CarRacing-v3", {}, settings_of({{"policy", "CnnPolicy"}}));
  });
  EXPECT_NE(sac.find("sac has no CnnPolicy"), std::string::npos) << sac;
  const std::string typo = error_of([] { Trainer("ppo", "DotSide-v0", {}, tiny("CNNPolicy")); });
  EXPECT_NE(typo.find("unknown policy 'CNNPolicy'"), std::string::npos) << typo;
  // NatureCNN's three convolutions need 36x36 pixels.
  const std::string small = error_of([] {
    Trainer("ppo", "CarRacing-v3", {{"wrappers", "ResizeObservation(shape=32x32)"}},
            tiny("CnnPolicy"));
  });
  EXPECT_NE(small.find("too small"), std::string::npos) << small;
}

TEST(CnnPolicy, EncoderTransposesStackedFramesToChannelFirstPlanes) {
  // (K=2, H=1, W=2, C=3): frame k pixel x channel c holds 100 k + 10 x + c.
  const envs::Space space = envs::Box(0, 255, Shape{2, 1, 2, 3}, Dtype::UInt8);
  std::vector<uint8_t> pixels;
  for (int k = 0; k < 2; ++k)
    for (int x = 0; x < 2; ++x)
      for (int c = 0; c < 3; ++c) pixels.push_back(static_cast<uint8_t>(100 * k + 10 * x + c));
  const Tensor batch = from_vector<uint8_t>(pixels).reshape({1, 2, 1, 2, 3});
  internal::ObsEncoder enc(space, "test", true);
  EXPECT_EQ(enc.image_shape(), (std::vector<int64_t>{6, 1, 2}));
  std::vector<float> out(12);
  enc.encode(batch, out.data());
  // Plane k * 3 + c holds (pixel x = 0, pixel x = 1) of frame k, channel c.
  for (int k = 0; k < 2; ++k)
    for (int c = 0; c < 3; ++c)
      for (int x = 0; x < 2; ++x)
        EXPECT_FLOAT_EQ(out[static_cast<size_t>((k * 3 + c) * 2 + x)],
                        static_cast<float>(100 * k + 10 * x + c) / 255.0f);
  EXPECT_THROW(internal::ObsEncoder(envs::Box(0, 1, Shape{4}), "test", true), Error);
}

// The agent's parameter tensors whose names end in `suffix`.
std::vector<Shape> shapes_ending(Agent& agent, const std::string& suffix) {
  std::vector<Shape> out;
  for (const auto& [name, t] : agent.state_tensors())
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(t.shape());
  return out;
}

TEST(CnnPolicy, NatureCnnFeedsTheHeadsOfPpoA2cAndDqn) {
  register_dot_side();
  for (const std::string algo : {"ppo", "a2c", "dqn"}) {
    SCOPED_TRACE(algo);
    Settings s = algo == "dqn" ? settings_of({{"policy", "CnnPolicy"},
                                              {"buffer_size", "64"},
                                              {"learning_starts", "8"},
                                              {"total_timesteps", "32"},
                                              {"eval_episodes", "2"}})
                               : tiny("CnnPolicy");
    if (algo == "a2c")
      s = settings_of({{"policy", "CnnPolicy"},
                       {"n_envs", "2"},
                       {"n_steps", "8"},
                       {"total_timesteps", "32"},
                       {"eval_episodes", "2"}});
    Trainer t(algo, "DotSide-v0", {}, s);
    EXPECT_EQ(shapes_ending(t.agent(), "features_extractor.cnn.0.weight").at(0),
              (Shape{32, 1, 8, 8}));
    EXPECT_EQ(shapes_ending(t.agent(), "features_extractor.cnn.4.weight").at(0),
              (Shape{64, 64, 3, 3}));
    EXPECT_EQ(shapes_ending(t.agent(), "features_extractor.linear.0.weight").at(0),
              (Shape{512, 64}));
    // SB3's CnnPolicy puts no hidden layer after the CNN unless net_arch says so.
    const auto first_layers = shapes_ending(t.agent(), ".0.weight");
    bool head_on_features = false;
    for (const Shape& s : first_layers) head_on_features |= s == Shape{2, 512};
    EXPECT_TRUE(head_on_features);
    NullSink sink;
    t.train(sink, "", {});
  }
  Settings wide = tiny("CnnPolicy");
  wide.set("net_arch", "16", "test");
  Trainer t("ppo", "DotSide-v0", {}, wide);
  EXPECT_FALSE(shapes_ending(t.agent(), "pi.0.weight").empty());
  EXPECT_EQ(shapes_ending(t.agent(), "pi.0.weight").at(0), (Shape{16, 512}));
}

TEST(CnnPolicy, ReplayStoresPixelsAsBytesAndSamplesTheRowsItWasGiven) {
  // Every byte value k comes back as ObsEncoder encodes it (k / 255), bit for bit.
  internal::ReplayBuffer buf(
      internal::ReplayOptions{.capacity = 8, .obs_dim = 256, .pixels = true});
  std::vector<uint8_t> row_bytes(256), next_bytes(256);
  std::vector<float> row(256), next(256);
  for (int k = 0; k < 256; ++k) {
    row_bytes[static_cast<size_t>(k)] = static_cast<uint8_t>(k);
    next_bytes[static_cast<size_t>(k)] = static_cast<uint8_t>(255 - k);
    row[static_cast<size_t>(k)] = static_cast<float>(k) / 255.0f;
    next[static_cast<size_t>(k)] = static_cast<float>(255 - k) / 255.0f;
  }
  buf.start(0, row_bytes.data());
  buf.add(0, 1, 1.0f, false, false, next_bytes.data(), nullptr);
  // An image buffer takes the env's bytes only.
  internal::ReplayBuffer other(
      internal::ReplayOptions{.capacity = 8, .obs_dim = 256, .pixels = true});
  EXPECT_NE(error_of([&] { other.start(0, row.data()); }).find("a row of floats"),
            std::string::npos);
  Generator gen(3);
  internal::ReplayBatch batch;
  buf.sample(2, gen, 1.0, batch);
  for (int b = 0; b < 2; ++b)
    for (int k = 0; k < 256; ++k) {
      ASSERT_EQ(batch.obs.data<float>()[b * 256 + k], row[static_cast<size_t>(k)]) << k;
      ASSERT_EQ(batch.next_obs.data<float>()[b * 256 + k], next[static_cast<size_t>(k)]) << k;
    }
}

TEST(CnnPolicy, ReplayStoresTheEnvsBytesAndSamplesWhatTheEncoderMakesOfThem) {
  // DQN stores the env's image (channel-first bytes from pixels_row), never divided by 255 and
  // rounded back; sampled rows equal encode_row's bit for bit. Frame k, pixel x, channel c holds
  // 100 k + 10 x + c + 1, so every plane differs.
  const envs::Space space = envs::Box(0, 255, Shape{2, 1, 2, 3}, Dtype::UInt8);
  std::vector<uint8_t> pixels;
  for (int k = 0; k < 2; ++k)
    for (int x = 0; x < 2; ++x)
      for (int c = 0; c < 3; ++c) pixels.push_back(static_cast<uint8_t>(100 * k + 10 * x + c + 1));
  const Tensor batch = from_vector<uint8_t>(pixels).reshape({1, 2, 1, 2, 3});
  internal::ObsEncoder enc(space, "test", true);
  std::vector<uint8_t> bytes(12);
  std::vector<float> encoded(12);
  enc.pixels_row(batch, 0, bytes.data());
  enc.encode_row(batch, 0, encoded.data());
  for (size_t j = 0; j < 12; ++j) EXPECT_EQ(static_cast<float>(bytes[j]) / 255.0f, encoded[j]) << j;

  internal::ReplayBuffer buf(internal::ReplayOptions{.capacity = 8, .obs_dim = 12, .pixels = true});
  buf.start(0, bytes.data());
  buf.add(0, 1, 1.0f, false, false, bytes.data(), nullptr);
  Generator gen(3);
  internal::ReplayBatch sampled;
  buf.sample(1, gen, 1.0, sampled);
  for (size_t j = 0; j < 12; ++j) {
    EXPECT_EQ(sampled.obs.data<float>()[j], encoded[j]) << j;
    EXPECT_EQ(sampled.next_obs.data<float>()[j], encoded[j]) << j;
  }
  // Bytes are for image buffers only; a float buffer refuses them.
  internal::ReplayBuffer floats(internal::ReplayOptions{.capacity = 8, .obs_dim = 12});
  EXPECT_NE(error_of([&] { floats.start(0, bytes.data()); }).find("a row of bytes"),
            std::string::npos);
  internal::ObsEncoder flat(envs::Box(0, 1, Shape{4}), "test");
  EXPECT_NE(error_of([&] {
              flat.pixels_row(from_vector<float>({0, 0, 0, 0}).reshape({1, 4}), 0, bytes.data());
            }).find("not an image encoder"),
            std::string::npos);
}

TEST(CnnPolicy, ReplayLoadsPixelsSavedAsFloatRowsAndRefusesOtherFloats) {
  // Checkpoints from before pixels were stored as bytes hold float rows k / 255.
  const internal::ReplayOptions options{
      .capacity = 8, .obs_dim = 256, .pixels = true, .n_actions = 2};
  internal::ReplayBuffer buf(options);
  std::vector<uint8_t> bytes(256);
  std::vector<float> row(256);
  for (int k = 0; k < 256; ++k) {
    bytes[static_cast<size_t>(k)] = static_cast<uint8_t>(k);
    row[static_cast<size_t>(k)] = static_cast<float>(k) / 255.0f;
  }
  buf.start(0, bytes.data());
  buf.add(0, 1, 1.0f, false, false, bytes.data(), nullptr);
  StateIO saved("dqn state");
  buf.state(saved);
  NamedTensorList tensors = saved.tensors();
  for (auto& [name, t] : tensors)
    if (name == "obs") t = t.to(Dtype::Float32) / 255.0;
  internal::ReplayBuffer loaded(options);
  StateIO in("dqn state", saved.json(), tensors);
  loaded.state(in);
  Generator gen(3);
  internal::ReplayBatch batch;
  loaded.sample(1, gen, 1.0, batch);
  for (int k = 0; k < 256; ++k) ASSERT_EQ(batch.obs.data<float>()[k], row[k]) << k;

  for (auto& [name, t] : tensors)
    if (name == "obs") t.data<float>()[5] = 0.5f;  // not a pixel
  internal::ReplayBuffer refused(options);
  StateIO bad("dqn state", saved.json(), tensors);
  const std::string e = error_of([&] { refused.state(bad); });
  EXPECT_NE(e.find("expected a pixel k / 255"), std::string::npos) << e;
}

TEST(CnnPolicy, AReplayBufferLargerThanMemoryIsRefusedWithASizeThatFits) {
  // SB3's default buffer_size on frames can exceed the machine even as bytes. The size proposed
  // fits a quarter of the memory at one byte a pixel.
  register_dot_side();
  const std::string e = error_of([] {
    Trainer("dqn", "DotSide-v0", {},
            settings_of({{"policy", "CnnPolicy"}, {"buffer_size", "1000000000000"}}));
  });
  EXPECT_NE(e.find("more than this machine's"), std::string::npos) << e;
  EXPECT_NE(e.find("observations of 1296 bytes"), std::string::npos) << e;
  const std::string key = "--set buffer_size=";
  const size_t at = e.find(key);
  ASSERT_NE(at, std::string::npos) << e;
  const double ram =
      static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
  // A slot holds the image's 1296 bytes, a float action, a float reward and a flag byte.
  EXPECT_EQ(std::stoll(e.substr(at + key.size())), static_cast<int64_t>(ram / 4.0 / 1305.0)) << e;
}

TEST(CnnPolicy, DqnCheckpointsSaveAndLoadTheReplayAsBytes) {
  register_dot_side();
  const auto dir = test_support::temp_dir("cnn_dqn_replay");
  Settings s = settings_of({{"policy", "CnnPolicy"},
                            {"buffer_size", "64"},
                            {"learning_starts", "8"},
                            {"total_timesteps", "48"},
                            {"eval_episodes", "1"},
                            {"save_replay", "true"}});
  Trainer t("dqn", "DotSide-v0", {}, s);
  NullSink sink;
  t.train(sink, "", {});
  const std::string path = t.save_checkpoint(dir.string());
  const CheckpointInfo info = read_agent_checkpoint(path);
  bool has_obs = false;
  for (const auto& [name, tensor] : info.tensors) {
    if (name != "replay.obs") continue;
    has_obs = true;
    EXPECT_EQ(tensor.dtype(), Dtype::UInt8);
    EXPECT_EQ(tensor.shape(), (Shape{64, 36 * 36}));
  }
  EXPECT_TRUE(has_obs);
  auto loaded = load_agent(info);
  std::map<std::string, Tensor> a, b;
  for (auto& [name, tensor] : loaded->state_tensors()) a[name] = tensor;
  for (auto& [name, tensor] : t.agent().state_tensors()) b[name] = tensor;
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : b) {
    if (name.rfind("model.", 0) != 0) continue;
    EXPECT_TRUE(equal(a.at(name), tensor)) << name;
  }
  // DotSide cannot save its state, so the loaded agent restarts its envs, which writes a slot
  // or two; every transition kept has the bytes saved.
  const Tensor fa = a.at("replay.flags"), fb = b.at("replay.flags");
  const Tensor oa = a.at("replay.obs"), ob = b.at("replay.obs");
  int64_t kept = 0;
  for (int64_t slot = 0; slot < 64; ++slot) {
    if (!(fa.data<int64_t>()[slot] & 1) || !(fb.data<int64_t>()[slot] & 1)) continue;
    ++kept;
    EXPECT_TRUE(std::equal(oa.data<uint8_t>() + slot * 1296, oa.data<uint8_t>() + (slot + 1) * 1296,
                           ob.data<uint8_t>() + slot * 1296))
        << slot;
  }
  EXPECT_GT(kept, 20);

  // A resumed run trains on, sampling the loaded bytes.
  Settings more;
  more.set("total_timesteps", "64", "test");
  Trainer resumed = Trainer::resume(path, more);
  EXPECT_EQ(resumed.agent().global_step(), 48);
  MemorySink resumed_sink;
  resumed.train(resumed_sink, "", {});
  EXPECT_EQ(resumed.agent().global_step(), 64);
  EXPECT_FALSE(resumed_sink.values("loss/q").empty());
}

TEST(CnnPolicy, CheckpointsRestoreTheCnn) {
  register_dot_side();
  const auto dir = test_support::temp_dir("cnn_checkpoint");
  Trainer t("ppo", "DotSide-v0", {}, tiny("CnnPolicy"));
  NullSink sink;
  const TrainResult r = t.train(sink, dir.string(), {});
  ASSERT_FALSE(r.last_checkpoint.empty());
  const CheckpointInfo info = read_agent_checkpoint(r.last_checkpoint);
  auto loaded = load_agent(info);
  auto env = envs::make("DotSide-v0");
  Tensor obs = env->reset(5).obs.unsqueeze(0).clone();
  EXPECT_TRUE(equal(loaded->predict(obs, true), t.agent().predict(obs, true)));
  const auto a = loaded->state_tensors(), b = t.agent().state_tensors();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(equal(a[i].second, b[i].second)) << a[i].first;
}

TEST(CnnPolicy, RunWrappersReachEveryEnvAndTheCheckpoint) {
  // env_wrapper and frame_stack (the zoo's names) become the env argument "wrappers".
  Settings s = tiny("CnnPolicy");
  s.set("env_wrapper", "ResizeObservation(shape=40x40), GrayscaleObservation(keep_dim=true)",
        "test");
  s.set("frame_stack", "2", "test");
  s.set("total_timesteps", "16", "test");
  s.set("eval_episodes", "1", "test");
  Trainer t("ppo", "CarRacing-v3", {}, s);
  EXPECT_EQ(t.env_kwargs().at("wrappers"),
            "ResizeObservation(shape=40x40), GrayscaleObservation(keep_dim=true), "
            "FrameStackObservation(stack_size=2)");
  EXPECT_EQ(shapes_ending(t.agent(), "features_extractor.cnn.0.weight").at(0),
            (Shape{32, 2, 8, 8}));
  const std::string both = error_of([&] {
    Trainer("ppo", "CarRacing-v3", {{"wrappers", "GrayscaleObservation"}}, s);
  });
  EXPECT_NE(both.find("give them one way"), std::string::npos) << both;
}

TEST(CnnPolicy, TheZoosCarRacingPresetBuildsItsNetworkAndTrains) {
  // The preset as `rein train ppo CarRacing-v3` starts from, cut to a few steps.
  Settings s = preset_settings("ppo", "CarRacing-v3");
  ASSERT_EQ(s.get("activation"), "gelu");
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"n_envs", "2"},
                                                        {"n_steps", "8"},
                                                        {"batch_size", "8"},
                                                        {"n_epochs", "1"},
                                                        {"total_timesteps", "16"},
                                                        {"eval_episodes", "1"}})
    s.set(key, value, "test");
  Trainer t("ppo", "CarRacing-v3", {{"max_episode_steps", "40"}}, s);
  // FrameSkip, 64x64 grey, two zero-padded frames: NatureCNN takes 2 planes; GELU heads of 256.
  EXPECT_NE(t.env_kwargs().at("wrappers").find("padding=zero"), std::string::npos);
  EXPECT_EQ(shapes_ending(t.agent(), "features_extractor.cnn.0.weight").at(0),
            (Shape{32, 2, 8, 8}));
  EXPECT_EQ(shapes_ending(t.agent(), "pi.0.weight").at(0), (Shape{256, 512}));
  MemorySink sink;
  const TrainResult r = t.train(sink, "", {});
  EXPECT_EQ(t.agent().global_step(), 16);
  EXPECT_FALSE(sink.values("loss/policy").empty());
  ASSERT_TRUE(r.final_eval.has_value());
}

}  // namespace
}  // namespace rein::rl
