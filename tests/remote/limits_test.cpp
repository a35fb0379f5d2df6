// The protocol's limits at the codec: what a peer may send is checked from a frame's type byte
// before its body is read, infos and Reset options are capped and keys never repeat, and the
// receive buffer grows only as bytes arrive. Each limit is tested on both sides of its edge.
#include <gtest/gtest.h>

#include "envs/remote/internal/receive_buffer.h"
#include "envs/remote/protocol.h"
#include "tests/remote/raw_client.h"

namespace rein::envs::remote {
namespace {

using testing::info_flood;
using testing::option_flood;

Layout cartpole_layout() {
  Welcome w;
  w.observation_space = Box(-1.0, 1.0, Shape{4});
  w.action_space = Discrete(2);
  return Layout(w);
}

// The message of the ProtocolError decoding `frame` (length prefix included) throws.
std::string decode_error(const std::vector<uint8_t>& frame, const Layout* layout,
                         ErrorCode code = ErrorCode::MalformedFrame) {
  Frame f;
  try {
    decode_frame(std::span(frame).subspan(kLengthBytes), layout, f);
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "decoded without error";
  return "";
}

std::string start_error(uint8_t type, uint32_t length, Peer sender, const Layout* layout,
                        ErrorCode code) {
  try {
    check_frame_start(type, length, sender, layout);
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "frame start accepted: type " << int(type) << ", " << length << " bytes";
  return "";
}

uint8_t byte(FrameType t) { return static_cast<uint8_t>(t); }

TEST(ProtocolLimits, AnInfoFloodIsRefusedAtItsCountBeforeAnyEntryIsRead) {
  const Layout layout = cartpole_layout();
  const auto flood = info_flood(FrameType::StepResult, 65535);
  EXPECT_GT(flood.size(), 900000u);
  const std::string msg = decode_error(flood, &layout);
  EXPECT_NE(msg.find("an info with 65535 entries (at most 64)"), std::string::npos) << msg;
  // Byte 32 is the first after the entry count: none of the 983 KB of entries was decoded.
  EXPECT_NE(msg.find("at byte 32:"), std::string::npos) << msg;
  Frame f;
  const auto at_cap = info_flood(FrameType::StepResult, kMaxInfoEntries);
  decode_frame(std::span(at_cap).subspan(kLengthBytes), &layout, f);
  EXPECT_EQ(f.batch.infos[0].size(), kMaxInfoEntries);
  EXPECT_EQ(f.batch.infos[0].number("k63"), 63.0);
  decode_error(info_flood(FrameType::ResetResult, kMaxInfoEntries + 1), &layout);
}

TEST(ProtocolLimits, ARepeatedInfoKeyIsRefused) {
  const Layout layout = cartpole_layout();
  Batch batch;
  batch.resize(layout);
  batch.infos[0].set("a", 1.0);
  batch.infos[0].set("b", 2.0);
  std::vector<uint8_t> bytes;
  encode_step_result(layout, batch, bytes);
  bytes[bytes.size() - 10] = 'a';  // the second key: "b" -> "a"
  const std::string msg = decode_error(bytes, &layout);
  EXPECT_NE(msg.find("info key 'a' appears twice"), std::string::npos) << msg;
}

TEST(ProtocolLimits, InfosAboveTheCapCannotBeSent) {
  const Layout layout = cartpole_layout();
  Batch batch;
  batch.resize(layout);
  for (size_t i = 0; i <= kMaxInfoEntries; ++i) batch.infos[0].set(str("k", i), 1.0);
  std::vector<uint8_t> bytes;
  try {
    encode_step_result(layout, batch, bytes);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("an info with 65 entries cannot be sent (at most 64"),
              std::string::npos)
        << e.what();
  }
}

TEST(ProtocolLimits, ResetOptionsAreCappedAndRepeatedKeysRefused) {
  const auto many = option_flood(kMaxResetOptions + 1, 0);
  std::string msg = decode_error(many, nullptr);
  EXPECT_NE(msg.find("257 options (at most 256)"), std::string::npos) << msg;
  Frame f;
  const auto at_cap = option_flood(kMaxResetOptions, 200);
  EXPECT_LE(at_cap.size() - kLengthBytes, kMaxResetFrameBytes);
  decode_frame(std::span(at_cap).subspan(kLengthBytes), nullptr, f);
  EXPECT_EQ(f.reset.options.size(), kMaxResetOptions);
  auto twice = option_flood(2, 1);
  twice[twice.size() - 6] = '0';  // the second key: "1" -> "0"
  msg = decode_error(twice, nullptr);
  EXPECT_NE(msg.find("option '0' appears twice"), std::string::npos) << msg;

  // The encoder refuses what the server would refuse, before sending anything.
  ResetRequest r;
  for (size_t i = 0; i <= kMaxResetOptions; ++i) r.options[str(i)] = "";
  std::vector<uint8_t> out;
  EXPECT_THROW(encode_reset(r, out), Error);
  r.options = {{"big", std::string(kMaxResetFrameBytes, 'x')}};
  try {
    encode_reset(r, out);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("exceed the protocol's limit (256 options, 65536 bytes)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(out.empty());
}

TEST(ProtocolLimits, AHelloFitsTheHandshakeLimitOrIsNotEncoded) {
  std::vector<uint8_t> out;
  encode_hello(Hello{.token = std::string(4080, 't')}, out);
  EXPECT_EQ(out.size(), kLengthBytes + kMaxHandshakeFrameBytes);
  out.clear();
  EXPECT_THROW(encode_hello(Hello{.token = std::string(4081, 't')}, out), Error);
  EXPECT_TRUE(out.empty());
}

TEST(ProtocolLimits, FrameStartRefusesWhatTheSenderMayNotSendBeforeTheBody) {
  const Layout layout = cartpole_layout();
  const Layout* none = nullptr;
  using E = ErrorCode;
  EXPECT_NE(
      start_error(byte(FrameType::StepResult), 983040, Peer::Client, &layout, E::UnexpectedFrame)
          .find("a client may not send StepResult frames"),
      std::string::npos);
  start_error(byte(FrameType::Welcome), 100, Peer::Client, none, E::UnexpectedFrame);
  start_error(byte(FrameType::ResetResult), 100, Peer::Client, &layout, E::UnexpectedFrame);
  EXPECT_NE(start_error(byte(FrameType::Hello), 20, Peer::Server, none, E::UnexpectedFrame)
                .find("a server may not send Hello frames"),
            std::string::npos);
  start_error(byte(FrameType::Step), 13, Peer::Server, &layout, E::UnexpectedFrame);
  start_error(0xEE, 10, Peer::Client, &layout, E::MalformedFrame);
  start_error(0, 10, Peer::Server, &layout, E::MalformedFrame);
  // The phase: session frames before the handshake, handshake frames after it.
  start_error(byte(FrameType::Reset), 20, Peer::Client, none, E::UnexpectedFrame);
  start_error(byte(FrameType::StepResult), 40, Peer::Server, none, E::UnexpectedFrame);
  start_error(byte(FrameType::Hello), 20, Peer::Client, &layout, E::UnexpectedFrame);
  start_error(byte(FrameType::Welcome), 200, Peer::Server, &layout, E::UnexpectedFrame);
  // Sizes, on both sides of each limit.
  check_frame_start(byte(FrameType::Hello), kMaxHandshakeFrameBytes, Peer::Client, none);
  EXPECT_NE(start_error(byte(FrameType::Hello), kMaxHandshakeFrameBytes + 1, Peer::Client, none,
                        E::FrameTooLarge)
                .find("exceeds 4096 (the limit before the handshake)"),
            std::string::npos);
  start_error(byte(FrameType::Error), 16u << 20, Peer::Client, none, E::FrameTooLarge);
  start_error(byte(FrameType::Close), 5000, Peer::Client, &layout, E::FrameTooLarge);
  check_frame_start(byte(FrameType::Reset), kMaxResetFrameBytes, Peer::Client, &layout);
  start_error(byte(FrameType::Reset), kMaxResetFrameBytes + 1, Peer::Client, &layout,
              E::FrameTooLarge);
  EXPECT_EQ(step_frame_length(layout), 13u);  // type, n, one i64 action
  check_frame_start(byte(FrameType::Step), 13, Peer::Client, &layout);
  EXPECT_NE(start_error(byte(FrameType::Step), 14, Peer::Client, &layout, E::MalformedFrame)
                .find("are 13 bytes"),
            std::string::npos);
  // A server's results are bounded by the client's max_frame_bytes only (decode_length).
  check_frame_start(byte(FrameType::StepResult), 16u << 20, Peer::Server, &layout);
  check_frame_start(byte(FrameType::Error), 16u << 20, Peer::Server, none);
}

TEST(ReceiveBuffer, GrowsOnlyAsBytesArriveNeverToTheAnnouncedLength) {
  constexpr size_t kInitial = 4100;
  constexpr size_t kFrame = 16u << 20;  // announced
  internal::ReceiveBuffer in(kInitial);
  EXPECT_EQ(in.space(kFrame).size(), kInitial);  // nothing arrived: no growth
  in.commit(9);
  EXPECT_EQ(in.space(kFrame).size(), kInitial - 9);
  size_t received = 9;
  while (received < kFrame) {  // the frame arrives in 1000-byte pieces
    const auto space = in.space(kFrame);
    const size_t n = std::min<size_t>({space.size(), 1000, kFrame - received});
    in.commit(n);
    received += n;
    ASSERT_LE(in.capacity(), std::max(kInitial, 2 * received)) << received;
  }
  EXPECT_EQ(in.unread_size(), kFrame);
  EXPECT_LE(in.capacity(), kFrame);
  in.consume(kFrame);
  EXPECT_EQ(in.unread_size(), 0u);
  // Unread bytes move to the front instead of growing the buffer further.
  internal::ReceiveBuffer small(8);
  small.commit(small.space(0).size());
  small.consume(6);
  EXPECT_EQ(small.space(8).size(), 6u);
  EXPECT_EQ(small.capacity(), 8u);
}

}  // namespace
}  // namespace rein::envs::remote
