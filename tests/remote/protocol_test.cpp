// The remote-env codec: every frame type round-trips, and malformed bytes are rejected with a
// ProtocolError that names the problem.
#include "envs/remote/protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace rein::envs::remote {
namespace {

// Decodes one encoded frame (length prefix checked) into `out`.
FrameType decode_one(const std::vector<uint8_t>& bytes, const Layout* layout, Frame& out) {
  EXPECT_GE(bytes.size(), kLengthBytes);
  const uint32_t length = decode_length(
      std::span<const uint8_t, kLengthBytes>(bytes.data(), kLengthBytes), kDefaultMaxFrameBytes);
  EXPECT_EQ(length, bytes.size() - kLengthBytes);
  return decode_frame(std::span(bytes).subspan(kLengthBytes), layout, out);
}

Welcome cartpole_welcome(uint32_t n, bool autoreset) {
  Welcome w;
  w.env_id = "CartPole-v1";
  w.num_envs = n;
  w.autoreset = autoreset;
  const double inf = std::numeric_limits<double>::infinity();
  w.observation_space = Box({-4.8, -inf, -0.42, -inf}, {4.8, inf, 0.42, inf});
  w.action_space = Discrete(2);
  w.max_episode_steps = 500;
  w.reward_threshold = 475.0;
  return w;
}

ErrorCode code_of(const std::vector<uint8_t>& frame, const Layout* layout) {
  Frame f;
  try {
    decode_frame(frame, layout, f);
  } catch (const ProtocolError& e) {
    return e.code();
  }
  ADD_FAILURE() << "decoded without error";
  return ErrorCode::ConnectionLost;
}

TEST(Protocol, HelloRoundTrips) {
  std::vector<uint8_t> bytes;
  encode_hello(Hello{.token = "s3cret", .num_envs = 64, .autoreset = true}, bytes);
  Frame f;
  ASSERT_EQ(decode_one(bytes, nullptr, f), FrameType::Hello);
  EXPECT_EQ(f.hello.version, kProtocolVersion);
  EXPECT_EQ(f.hello.token, "s3cret");
  EXPECT_EQ(f.hello.num_envs, 64u);
  EXPECT_TRUE(f.hello.autoreset);
}

TEST(Protocol, WelcomeRoundTripsEverySpaceKind) {
  Welcome w = cartpole_welcome(3, false);
  w.observation_space = Box(-1.0, 2.0, Shape{2, 3}, Dtype::Float64);
  w.action_space = MultiDiscrete({3, 2, 5});
  w.reward_threshold.reset();
  w.max_frame_bytes = 1234;
  std::vector<uint8_t> bytes;
  encode_welcome(w, bytes);
  Frame f;
  ASSERT_EQ(decode_one(bytes, nullptr, f), FrameType::Welcome);
  EXPECT_EQ(f.welcome.env_id, "CartPole-v1");
  EXPECT_EQ(f.welcome.num_envs, 3u);
  EXPECT_EQ(f.welcome.observation_space, w.observation_space);
  EXPECT_EQ(f.welcome.action_space, w.action_space);
  EXPECT_EQ(f.welcome.max_episode_steps, std::optional<int64_t>(500));
  EXPECT_FALSE(f.welcome.reward_threshold.has_value());
  EXPECT_EQ(f.welcome.max_frame_bytes, 1234u);

  const Welcome c = cartpole_welcome(1, true);
  bytes.clear();
  encode_welcome(c, bytes);
  ASSERT_EQ(decode_one(bytes, nullptr, f), FrameType::Welcome);
  EXPECT_EQ(f.welcome.observation_space, c.observation_space);  // infinite bounds survive
  EXPECT_EQ(f.welcome.action_space, Space(Discrete(2)));
  EXPECT_EQ(f.welcome.reward_threshold, std::optional<double>(475.0));
  EXPECT_TRUE(f.welcome.autoreset);
}

// Found by UBSan through the decoder fuzz test: an empty Box's bounds are empty vectors, whose
// null data() reached memcpy.
TEST(Protocol, WelcomeWithAZeroSizeBoxRoundTrips) {
  Welcome w = cartpole_welcome(1, false);
  w.observation_space = Box(0.0, 1.0, Shape{0}, Dtype::Float32);
  std::vector<uint8_t> bytes;
  encode_welcome(w, bytes);
  Frame f;
  ASSERT_EQ(decode_one(bytes, nullptr, f), FrameType::Welcome);
  EXPECT_EQ(f.welcome.observation_space, w.observation_space);
}

TEST(Protocol, ResetRoundTripsSeedAndOptions) {
  std::vector<uint8_t> bytes;
  encode_reset(ResetRequest{.seed = 42, .options = {{"low", "-0.1"}, {"high", "0.1"}}}, bytes);
  encode_reset(ResetRequest{}, bytes);  // two frames back to back
  Frame f;
  const size_t first = kLengthBytes + bytes[0];
  ASSERT_EQ(decode_frame(std::span(bytes).subspan(kLengthBytes, bytes[0]), nullptr, f),
            FrameType::Reset);
  EXPECT_EQ(f.reset.seed, std::optional<uint64_t>(42));
  EXPECT_EQ(f.reset.options.at("low"), "-0.1");
  EXPECT_EQ(f.reset.options.size(), 2u);
  ASSERT_EQ(decode_frame(std::span(bytes).subspan(first + kLengthBytes), nullptr, f),
            FrameType::Reset);
  EXPECT_FALSE(f.reset.seed.has_value());
  EXPECT_TRUE(f.reset.options.empty());
}

TEST(Protocol, StepRoundTripsEveryActionKind) {
  Welcome w = cartpole_welcome(2, true);
  {
    const Layout layout(w);
    Tensor actions = from_vector<int64_t>({1, 0});
    std::vector<uint8_t> bytes;
    encode_step(layout, actions, bytes);
    Frame f;
    ASSERT_EQ(decode_one(bytes, &layout, f), FrameType::Step);
    EXPECT_EQ(f.actions.tolist(), (std::vector<double>{1, 0}));
  }
  {
    w.action_space = Box(-2.0, 2.0, Shape{3});
    const Layout layout(w);
    Tensor actions = from_vector<float>({0.5f, -1.25f, 2.0f, 0.f, 1.f, -2.f}, Shape{2, 3});
    std::vector<uint8_t> bytes;
    encode_step(layout, actions, bytes);
    Frame f;
    ASSERT_EQ(decode_one(bytes, &layout, f), FrameType::Step);
    EXPECT_EQ(f.actions.tolist(), actions.tolist());
    EXPECT_EQ(f.actions.shape(), (Shape{2, 3}));
  }
  {
    w.action_space = MultiDiscrete({3, 4});
    const Layout layout(w);
    Tensor actions = from_vector<int64_t>({2, 3, 0, 1}, Shape{2, 2});
    std::vector<uint8_t> bytes;
    encode_step(layout, actions, bytes);
    Frame f;
    ASSERT_EQ(decode_one(bytes, &layout, f), FrameType::Step);
    EXPECT_EQ(f.actions.tolist(), actions.tolist());
  }
}

TEST(Protocol, SingleActionEncodesLikeABatchOfOne) {
  const Layout layout(cartpole_welcome(1, false));
  std::vector<uint8_t> a, b;
  encode_step(layout, Action(int64_t{1}), a);
  encode_step(layout, from_vector<int64_t>({1}), b);
  EXPECT_EQ(a, b);
  EXPECT_THROW(encode_step(layout, Action(int64_t{2}), a), Error);  // outside Discrete(2)
}

TEST(Protocol, StepResultRoundTripsRewardsFlagsInfosAndFinalRows) {
  const Layout layout(cartpole_welcome(3, true));
  Batch out;
  out.resize(layout);
  for (int64_t i = 0; i < 12; ++i) out.obs.data<float>()[i] = 0.25f * static_cast<float>(i);
  for (int64_t i = 0; i < 12; ++i) out.final_obs.data<float>()[i] = -1.0f * static_cast<float>(i);
  out.rewards = {1.0, -0.5, 1e-300};
  out.flags = {0, 1, 2};
  out.infos[0].set("prob", 0.75);
  out.infos[2].set("action_mask", from_vector<int64_t>({1, 0, 1}).to(Dtype::Bool));
  out.final_infos[1].set("episode_return", 17.0);
  std::vector<uint8_t> bytes;
  encode_step_result(layout, out, bytes);
  Frame f;
  ASSERT_EQ(decode_one(bytes, &layout, f), FrameType::StepResult);
  const Batch& in = f.batch;
  EXPECT_EQ(in.obs.tolist(), out.obs.tolist());
  EXPECT_EQ(in.rewards, out.rewards);
  EXPECT_EQ(in.flags, out.flags);
  EXPECT_TRUE(in.terminated(1));
  EXPECT_TRUE(in.truncated(2));
  EXPECT_DOUBLE_EQ(in.infos[0].number("prob"), 0.75);
  EXPECT_TRUE(in.infos[1].empty());
  EXPECT_EQ(in.infos[2].tensor("action_mask").dtype(), Dtype::Bool);
  EXPECT_EQ(in.infos[2].tensor("action_mask").tolist(), (std::vector<double>{1, 0, 1}));
  for (int64_t i = 4; i < 12; ++i) {  // rows 1 and 2 ended: their final observations travel
    EXPECT_EQ(in.final_obs.data<float>()[i], -1.0f * static_cast<float>(i));
  }
  EXPECT_DOUBLE_EQ(in.final_infos[1].number("episode_return"), 17.0);
}

TEST(Protocol, ResetResultRoundTripsDiscreteObservations) {
  Welcome w = cartpole_welcome(2, false);
  w.observation_space = Discrete(16);
  const Layout layout(w);
  Batch out;
  out.resize(layout);
  EXPECT_EQ(out.obs.dtype(), Dtype::Int64);
  out.obs.data<int64_t>()[0] = 3;
  out.obs.data<int64_t>()[1] = 15;
  std::vector<uint8_t> bytes;
  encode_reset_result(layout, out, bytes);
  Frame f;
  ASSERT_EQ(decode_one(bytes, &layout, f), FrameType::ResetResult);
  EXPECT_EQ(f.batch.obs.tolist(), (std::vector<double>{3, 15}));
  EXPECT_EQ(f.batch.flags, (std::vector<uint8_t>{0, 0}));
}

TEST(Protocol, CloseAndErrorRoundTrip) {
  std::vector<uint8_t> bytes;
  encode_close(bytes);
  Frame f;
  EXPECT_EQ(decode_one(bytes, nullptr, f), FrameType::Close);
  bytes.clear();
  encode_error(ErrorFrame{ErrorCode::Unauthorized, "wrong token"}, bytes);
  ASSERT_EQ(decode_one(bytes, nullptr, f), FrameType::Error);
  EXPECT_EQ(f.error.code, ErrorCode::Unauthorized);
  EXPECT_EQ(f.error.message, "wrong token");
}

TEST(Protocol, LengthPrefixRejectsZeroAndOversizedFrames) {
  const uint8_t zero[4] = {0, 0, 0, 0};
  const uint8_t big[4] = {0x01, 0x00, 0x10, 0x00};  // 1 MiB + 1
  try {
    decode_length(std::span<const uint8_t, 4>(big), 1u << 20);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::FrameTooLarge);
    EXPECT_NE(std::string(e.what()).find("1048577 bytes exceeds max_frame_bytes 1048576"),
              std::string::npos);
  }
  EXPECT_THROW(decode_length(std::span<const uint8_t, 4>(zero), 100), ProtocolError);
  EXPECT_EQ(decode_length(std::span<const uint8_t, 4>(big), 1u << 21), (1u << 20) + 1);
}

TEST(Protocol, EveryTruncationOfAValidFrameIsMalformed) {
  const Layout layout(cartpole_welcome(2, true));
  Batch b;
  b.resize(layout);
  b.flags = {1, 0};
  b.infos[0].set("x", 1.0);
  std::vector<uint8_t> bytes;
  encode_step_result(layout, b, bytes);
  const std::span<const uint8_t> frame = std::span(bytes).subspan(kLengthBytes);
  for (size_t n = 1; n < frame.size(); ++n) {
    EXPECT_EQ(code_of(std::vector<uint8_t>(frame.begin(), frame.begin() + n), &layout),
              ErrorCode::MalformedFrame)
        << n;
  }
  std::vector<uint8_t> longer(frame.begin(), frame.end());
  longer.push_back(0);
  EXPECT_EQ(code_of(longer, &layout), ErrorCode::MalformedFrame);  // trailing byte
}

TEST(Protocol, MalformedFramesNameTheirProblem) {
  const Layout layout(cartpole_welcome(1, false));
  EXPECT_EQ(code_of({0xEE, 1, 2}, nullptr), ErrorCode::MalformedFrame);  // unknown type
  EXPECT_EQ(code_of({static_cast<uint8_t>(FrameType::Step), 1, 0, 0, 0}, nullptr),
            ErrorCode::UnexpectedFrame);  // step before the handshake
  EXPECT_EQ(code_of({static_cast<uint8_t>(FrameType::Hello), 'H', 'T', 'T', 'P'}, nullptr),
            ErrorCode::VersionMismatch);
  // A string announcing 4 GiB in a 9-byte frame is refused before any allocation.
  try {
    Frame f;
    decode_frame(std::vector<uint8_t>{static_cast<uint8_t>(FrameType::Error), 1, 0, 0xff, 0xff,
                                      0xff, 0xff, 'a', 'b'},
                 nullptr, f);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::MalformedFrame);
    EXPECT_NE(std::string(e.what()).find("malformed Error frame"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("count 4294967295"), std::string::npos) << e.what();
  }
  // A step for 2 envs in a 1-env session.
  std::vector<uint8_t> two;
  encode_step(Layout(cartpole_welcome(2, false)), from_vector<int64_t>({0, 1}), two);
  EXPECT_EQ(code_of(std::vector<uint8_t>(two.begin() + kLengthBytes, two.end()), &layout),
            ErrorCode::MalformedFrame);
  // A boolean byte that is neither 0 nor 1.
  std::vector<uint8_t> hello;
  encode_hello(Hello{}, hello);
  hello.back() = 7;
  EXPECT_EQ(code_of(std::vector<uint8_t>(hello.begin() + kLengthBytes, hello.end()), nullptr),
            ErrorCode::MalformedFrame);
}

}  // namespace
}  // namespace rein::envs::remote
