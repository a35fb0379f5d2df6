// Hostile frames cost the receiver neither time nor memory: the server refuses what a client
// may not send from the frame's type byte, commits no memory for announced frames before the
// handshake, and keeps its resident memory flat under oversized Resets; the client applies the
// same limits to a hostile server.
#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "envs/remote/remote_env.h"
#include "envs/remote/server.h"
#include "tests/remote/raw_client.h"

namespace rein::envs::remote {
namespace {

using testing::expect_serving;
using testing::FakeServer;
using testing::frame_start;
using testing::info_flood;
using testing::option_flood;
using testing::Raw;
using testing::reply_once;
using testing::resident_bytes;
using testing::says;
using testing::url_of;

// Sends `bytes` from another thread while this one reads the server's answer, since the server
// answers (and closes) long before a large frame is through.
Frame answer_to(Raw& raw, const std::vector<uint8_t>& bytes) {
  std::thread sending([&] {
    try {
      raw.send(bytes);
    } catch (const ProtocolError&) {  // the server closed the connection part-way: expected
    }
  });
  Frame f;
  try {
    f = raw.receive();
  } catch (...) {
    sending.join();
    throw;
  }
  sending.join();
  return f;
}

TEST(RemoteHostile, AServerOnlyFrameIsRefusedFromItsTypeByteWhileOthersStep) {
  // A short frame timeout: a server waiting for the body would answer Timeout instead.
  Server server(ServerOptions{.env_id = "CartPole-v1", .frame_timeout_ms = 2000});
  server.start();
  const auto flood = info_flood(FrameType::StepResult, 65535);  // 983 KB of info entries
  Raw first(server.port());
  first.handshake();
  first.send(std::vector<uint8_t>(flood.begin(), flood.begin() + 5));  // prefix and type only
  Frame f = first.receive();
  EXPECT_EQ(f.error.code, ErrorCode::UnexpectedFrame);
  EXPECT_TRUE(says(f.error.message, "a client may not send StepResult frames")) << f.error.message;
  EXPECT_TRUE(first.closed_by_server());

  // The whole frame, from a client that keeps its end open: a real client handshakes and steps.
  Raw second(server.port());
  second.handshake();
  f = answer_to(second, flood);
  EXPECT_EQ(f.error.code, ErrorCode::UnexpectedFrame);
  expect_serving(server.port());
  EXPECT_EQ(server.stats().errors, 2);
}

TEST(RemoteHostile, FramesBeforeTheHandshakeAreRefusedFromTheirFirstFiveBytes) {
  Server server(ServerOptions{.env_id = "CartPole-v1", .frame_timeout_ms = 2000});
  server.start();
  {
    Raw raw(server.port());
    raw.send(frame_start(FrameType::Hello, kDefaultMaxFrameBytes - 1));
    const Frame f = raw.receive();
    EXPECT_EQ(f.error.code, ErrorCode::FrameTooLarge);
    EXPECT_TRUE(says(f.error.message,
                     "Hello frame of 16777215 bytes exceeds 4096 (the limit "
                     "before the handshake)"))
        << f.error.message;
  }
  {
    Raw raw(server.port());
    raw.send(frame_start(FrameType::Step, 13));
    const Frame f = raw.receive();
    EXPECT_EQ(f.error.code, ErrorCode::UnexpectedFrame);
    EXPECT_TRUE(says(f.error.message, "Step frame before the handshake")) << f.error.message;
  }
  expect_serving(server.port());
}

TEST(RemoteHostile, AnnouncedFramesCommitNoMemoryBeforeTheHandshake) {
  Server server(ServerOptions{.env_id = "CartPole-v1", .token = "s3cret", .max_clients = 100});
  server.start();
  const Kwargs token{{"token", "s3cret"}};
  std::vector<std::unique_ptr<Raw>> clients;
  for (int i = 0; i < 64; ++i) clients.push_back(std::make_unique<Raw>(server.port()));
  make_env(url_of(server.port()), token)->reset(0);  // queued after the 64: all are accepted
  const int64_t before = resident_bytes();
  // 9 bytes each: a Hello announcing 16 MiB (or the 4 KiB allowed), its magic, then silence.
  for (size_t i = 0; i < clients.size(); ++i) {
    auto bytes = frame_start(FrameType::Hello,
                             i % 2 == 0 ? kDefaultMaxFrameBytes - 1 : kMaxHandshakeFrameBytes);
    bytes.insert(bytes.end(), {'R', 'E', 'I', 'N'});
    clients[i]->send(bytes);
  }
  make_env(url_of(server.port()), token)->reset(0);  // the event loop has read those bytes
  const int64_t grown = resident_bytes() - before;
  EXPECT_LT(grown, 4 << 20) << "64 connections of 9 bytes grew the resident memory by " << grown;
  std::printf("64 connections of 9 bytes: resident memory +%lld KiB\n",
              static_cast<long long>(grown >> 10));
  for (size_t i = 0; i < clients.size(); i += 2) {
    EXPECT_EQ(clients[i]->receive().error.code, ErrorCode::FrameTooLarge);
  }
}

TEST(RemoteHostile, LargeResetFramesLeaveTheServersMemoryFlat) {
  Server server(ServerOptions{.env_id = "CartPole-v1"});
  server.start();
  const auto flood = option_flood(1000000, 0);  // 1M options: 13.9 MB, under max_frame_bytes
  ASSERT_LT(flood.size(), kDefaultMaxFrameBytes);
  const auto allowed = option_flood(kMaxResetOptions, 200);  // about as large as a Reset may be
  expect_serving(server.port());
  const int64_t before = resident_bytes();
  for (int session = 0; session < 4; ++session) {
    {
      Raw hostile(server.port());
      hostile.handshake();
      const Frame f = answer_to(hostile, flood);
      EXPECT_EQ(f.error.code, ErrorCode::FrameTooLarge);
      EXPECT_TRUE(says(f.error.message, "exceeds 65536 (the limit for Reset and its options)"))
          << f.error.message;
    }
    Raw fine(server.port());
    fine.handshake();
    fine.send(allowed);
    const Frame f = fine.receive();  // decoded and handed to the env, which knows none of them
    EXPECT_EQ(f.error.code, ErrorCode::EnvError);
    EXPECT_TRUE(says(f.error.message, "unknown option '0'")) << f.error.message;
  }
  const int64_t grown = resident_bytes() - before;
  EXPECT_LT(grown, kDefaultMaxFrameBytes)
      << "4 sessions with 13.9 MB Resets grew the resident memory by " << grown;
  std::printf("4 sessions with 13.9 MB Resets: resident memory +%lld KiB\n",
              static_cast<long long>(grown >> 10));
}

TEST(RemoteHostile, AClientRefusesAServersFrameFromItsTypeByte) {
  for (const auto& [type, text] :
       {std::pair{FrameType::StepResult, "StepResult frame before the handshake"},
        std::pair{FrameType::Hello, "a server may not send Hello frames"}}) {
    FakeServer server(reply_once(frame_start(type, kDefaultMaxFrameBytes - 1)));  // no body
    try {
      make_env(url_of(server.port()), {{"timeout_ms", "5000"}});
      FAIL() << text;
    } catch (const ProtocolError& e) {
      EXPECT_EQ(e.code(), ErrorCode::UnexpectedFrame);
      EXPECT_TRUE(says(e.what(), text)) << e.what();
    }
  }
}

TEST(RemoteHostile, AClientRefusesAnInfoFloodFromAServer) {
  Welcome w{.env_id = "Flood-v0",
            .observation_space = Box(-1.0, 1.0, Shape{4}),
            .action_space = Discrete(2)};
  std::vector<uint8_t> reply;
  encode_welcome(w, reply);
  const auto flood = info_flood(FrameType::ResetResult, 65535);
  reply.insert(reply.end(), flood.begin(), flood.end());
  FakeServer server(reply_once(reply));
  auto env = make_env(url_of(server.port()));
  try {
    env->reset(0);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::MalformedFrame);
    EXPECT_TRUE(says(e.what(), "an info with 65535 entries (at most 64)")) << e.what();
  }
}

}  // namespace
}  // namespace rein::envs::remote
