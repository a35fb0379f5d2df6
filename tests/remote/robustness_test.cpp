// Bad input is survived, never obeyed: wrong tokens, oversized and garbage frames, clients that
// stall or vanish mid-frame, servers that stop or stall mid-episode. Each failure reaches the one
// side it concerns as a clear error, and the server keeps serving everyone else.
#include <gtest/gtest.h>

#include <optional>

#include "envs/remote/remote_env.h"
#include "envs/remote/server.h"
#include "tests/remote/raw_client.h"

namespace rein::envs::remote {
namespace {

using testing::expect_serving;
using testing::hello;
using testing::Raw;
using testing::url_of;

TEST(RemoteRobustness, WrongTokenIsRefusedWithUnauthorized) {
  Server server(ServerOptions{.env_id = "CartPole-v1", .token = "s3cret"});
  server.start();
  for (const auto& [token, message] : {std::pair<std::string, std::string>{"guess", "wrong token"},
                                       std::pair<std::string, std::string>{"", "needs a token"}}) {
    try {
      make_env(url_of(server.port()), {{"token", token}});
      FAIL() << token;
    } catch (const ProtocolError& e) {
      EXPECT_EQ(e.code(), ErrorCode::Unauthorized);
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("refused the connection"), std::string::npos);
    }
  }
  auto env = make_env(url_of(server.port()), {{"token", "s3cret"}});
  EXPECT_EQ(env->reset(0).obs.numel(), 4);
}

TEST(RemoteRobustness, OversizedFrameIsRefusedAndOthersKeepWorking) {
  Server server(ServerOptions{.env_id = "CartPole-v1", .max_frame_bytes = 4096});
  server.start();
  auto good = make_env(url_of(server.port()));
  good->reset(0);
  Raw raw(server.port());
  raw.send({0x00, 0x00, 0x00, 0x40, 0x01});  // claims 1 GiB
  const Frame f = raw.receive();
  ASSERT_EQ(f.type, FrameType::Error);
  EXPECT_EQ(f.error.code, ErrorCode::FrameTooLarge);
  EXPECT_NE(f.error.message.find("exceeds max_frame_bytes 4096"), std::string::npos);
  EXPECT_TRUE(raw.closed_by_server());
  EXPECT_EQ(good->step(0).obs.numel(), 4);
  expect_serving(server.port());
}

TEST(RemoteRobustness, GarbageBytesGetMalformedFrame) {
  Server server(ServerOptions{.env_id = "CartPole-v1"});
  server.start();
  {
    Raw raw(server.port());
    raw.send({0x05, 0x00, 0x00, 0x00, 0xEE, 0xDE, 0xAD, 0xBE, 0xEF});  // unknown type 0xEE
    const Frame f = raw.receive();
    EXPECT_EQ(f.error.code, ErrorCode::MalformedFrame);
    EXPECT_NE(f.error.message.find("unknown frame type 238"), std::string::npos);
    EXPECT_TRUE(raw.closed_by_server());
  }
  {
    Raw raw(server.port());
    raw.send({'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'});  // an HTTP client
    const Frame f = raw.receive();
    EXPECT_EQ(f.error.code, ErrorCode::FrameTooLarge);
  }
  {
    Raw raw(server.port());
    raw.send(hello("", 99));
    const Frame f = raw.receive();
    EXPECT_EQ(f.error.code, ErrorCode::VersionMismatch);
    EXPECT_NE(f.error.message.find("version 99"), std::string::npos);
  }
  {
    Raw raw(server.port());
    std::vector<uint8_t> step;
    encode_reset(ResetRequest{}, step);  // a valid frame before the handshake
    raw.send(step);
    EXPECT_EQ(raw.receive().error.code, ErrorCode::UnexpectedFrame);
  }
  expect_serving(server.port());
  EXPECT_GE(server.stats().errors, 4);
}

TEST(RemoteRobustness, ClientVanishingMidFrameLeavesOthersServed) {
  Server server(ServerOptions{.env_id = "CartPole-v1"});
  server.start();
  auto good = make_env(url_of(server.port()));
  good->reset(0);
  for (int i = 0; i < 3; ++i) {
    Raw raw(server.port());
    std::vector<uint8_t> h = hello();
    h.resize(h.size() / 2);  // half a Hello, then gone
    raw.send(h);
    raw.conn.close();
    EXPECT_EQ(good->step(i % 2).obs.numel(), 4);
  }
  expect_serving(server.port());
}

TEST(RemoteRobustness, StalledClientIsDroppedAfterTheFrameTimeout) {
  Server server(ServerOptions{.env_id = "CartPole-v1", .frame_timeout_ms = 100});
  server.start();
  auto good = make_env(url_of(server.port()));
  good->reset(0);
  Raw raw(server.port());
  raw.send({0x10, 0x00});         // two bytes of a length prefix, then silence
  const Frame f = raw.receive();  // blocks until the server gives up on us
  EXPECT_EQ(f.error.code, ErrorCode::Timeout);
  EXPECT_NE(f.error.message.find("stalled in the middle of a frame"), std::string::npos);
  EXPECT_TRUE(raw.closed_by_server());
  EXPECT_EQ(good->step(0).obs.numel(), 4);  // the healthy client was never held up
}

TEST(RemoteRobustness, ServerStoppedMidEpisodeIsAClearErrorThatStays) {
  auto server = std::make_unique<Server>(ServerOptions{.env_id = "CartPole-v1"});
  server->start();
  auto env = make_env(url_of(server->port()));
  env->reset(0);
  env->step(0);
  server->stop();
  std::string first;
  try {
    env->step(1);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConnectionLost);
    first = e.what();
    EXPECT_NE(first.find("remote env 127.0.0.1:"), std::string::npos) << first;
  }
  try {  // later calls repeat the cause instead of touching a dead socket
    env->reset(0);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(std::string(e.what()), first);
  }
}

// Answers the handshake and the reset, then never a step.
testing::FakeServer::Answer stalling_at_the_first_step() {
  return [layout = std::optional<Layout>()](const std::vector<uint8_t>& in) mutable {
    Frame f;
    std::vector<uint8_t> out;
    const FrameType type = decode_frame(in, layout ? &*layout : nullptr, f);
    if (type == FrameType::Hello) {
      Welcome w{
          .env_id = "Stall-v0", .observation_space = Discrete(3), .action_space = Discrete(2)};
      layout.emplace(w);
      encode_welcome(w, out);
    } else if (type == FrameType::Reset) {
      Batch b;
      b.resize(*layout);
      encode_reset_result(*layout, b, out);
    }  // Step: silence
    return out;
  };
}

TEST(RemoteRobustness, StalledServerGivesATimeoutErrorInsteadOfAHang) {
  testing::FakeServer server(stalling_at_the_first_step());
  auto env = make_env(url_of(server.port()), {{"timeout_ms", "150"}});
  EXPECT_EQ(env->reset(0).obs.item(), 0.0);
  try {
    env->step(1);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::Timeout);
    EXPECT_NE(std::string(e.what()).find("no reply to step within 150 ms"), std::string::npos)
        << e.what();
  }
  env.reset();  // closes the socket, which lets the fake server's thread end
}

TEST(RemoteRobustness, ExtraClientsAreRefusedWithServerFull) {
  Server server(ServerOptions{.env_id = "CartPole-v1", .max_clients = 1});
  server.start();
  auto first = make_env(url_of(server.port()));
  try {
    make_env(url_of(server.port()));
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::ServerFull);
  }
  EXPECT_EQ(first->reset(0).obs.numel(), 4);
  EXPECT_EQ(server.stats().refused, 1);
}

TEST(RemoteRobustness, TooManyEnvsPerClientIsABadRequest) {
  Server server(ServerOptions{.env_id = "CartPole-v1", .max_envs_per_client = 4});
  server.start();
  try {
    make_vec(url_of(server.port()), 5);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::BadRequest);
    EXPECT_NE(std::string(e.what()).find("at most 4 per client"), std::string::npos);
  }
  EXPECT_EQ(make_vec(url_of(server.port()), 4)->num_envs(), 4);
}

TEST(RemoteRobustness, NothingListeningIsAConnectionError) {
  uint16_t port;
  {
    Server s(ServerOptions{.env_id = "CartPole-v1"});
    port = s.port();
  }  // closed again: nothing listens there now
  try {
    make_env(url_of(port));
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConnectionLost);
    EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rein::envs::remote
