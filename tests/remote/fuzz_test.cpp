// A bounded randomized fuzz of the frame decoder (the CI build uses g++, so no libFuzzer): valid
// frames of every type, mutated, truncated and extended, plus pure noise. Every input must
// either decode or throw ProtocolError; a crash, a sanitizer report or another exception fails.
// Then the same mutations over real connections to a server, which must answer or close every
// one of them and go on serving.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

#include "envs/remote/protocol.h"
#include "envs/remote/server.h"
#include "tensor/generator.h"
#include "tests/remote/raw_client.h"

namespace rein::envs::remote {
namespace {

constexpr int kIterations = 40000;
constexpr int kConnections = 3000;

std::vector<Layout> layouts() {
  Welcome w;
  w.env_id = "X";
  std::vector<Layout> out;
  w.num_envs = 1;
  w.observation_space = Box(-1.0, 1.0, Shape{4});
  w.action_space = Discrete(2);
  out.emplace_back(w);
  w.num_envs = 3;
  w.autoreset = true;
  w.observation_space = Discrete(5);
  w.action_space = Box(-1.0, 1.0, Shape{2}, Dtype::Float64);
  out.emplace_back(w);
  w.observation_space = Box(-1.0, 1.0, Shape{2, 2}, Dtype::Int64);
  w.action_space = MultiDiscrete({2, 3});
  out.emplace_back(w);
  // uint8 images (CarRacing's kind): rows of bytes, not of 4- or 8-byte elements.
  w.num_envs = 2;
  w.observation_space = Box(0.0, 255.0, Shape{6, 5, 3}, Dtype::UInt8);
  w.action_space = Box(-1.0, 1.0, Shape{3});
  out.emplace_back(w);
  return out;
}

// One valid frame (without its length prefix) of every type for each layout.
std::vector<std::vector<uint8_t>> corpus(const std::vector<Layout>& ls) {
  std::vector<std::vector<uint8_t>> frames;
  auto add = [&](auto&& encode) {
    std::vector<uint8_t> bytes;
    encode(bytes);
    frames.emplace_back(bytes.begin() + kLengthBytes, bytes.end());
  };
  add([](auto& b) { encode_hello(Hello{.token = "tok", .num_envs = 4, .autoreset = true}, b); });
  add([](auto& b) { encode_reset(ResetRequest{.seed = 7, .options = {{"a", "b"}}}, b); });
  add([](auto& b) { encode_close(b); });
  add([](auto& b) { encode_error(ErrorFrame{ErrorCode::EnvError, "boom"}, b); });
  for (const Layout& l : ls) {
    Welcome w;
    w.num_envs = static_cast<uint32_t>(l.num_envs);
    w.observation_space = l.observation_space;
    w.action_space = l.action_space;
    w.max_episode_steps = 10;
    add([&](auto& b) { encode_welcome(w, b); });
    add([&](auto& b) { encode_step(l, make_action_buffer(l), b); });
    Batch batch;
    batch.resize(l);
    batch.flags[0] = 3;
    batch.infos[0].set("n", 1.5);
    batch.final_infos[0].set("mask", ones(Shape{3}, Dtype::Bool));
    add([&](auto& b) { encode_reset_result(l, batch, b); });
    add([&](auto& b) { encode_step_result(l, batch, b); });
  }
  return frames;
}

void mutate(std::vector<uint8_t>& f, Generator& gen) {
  const int edits = static_cast<int>(gen.randint(1, 5));
  for (int e = 0; e < edits; ++e) {
    const auto pos = [&] {
      return static_cast<size_t>(
          gen.randint(0, std::max<int64_t>(1, static_cast<int64_t>(f.size()))));
    };
    switch (gen.randint(0, 6)) {
      case 0:  // flip a bit
        if (!f.empty()) f[pos() % f.size()] ^= static_cast<uint8_t>(1u << gen.randint(0, 8));
        break;
      case 1:  // a random byte
        if (!f.empty()) f[pos() % f.size()] = static_cast<uint8_t>(gen.randint(0, 256));
        break;
      case 2:  // truncate
        f.resize(pos() % (f.size() + 1));
        break;
      case 3:  // insert bytes
        f.insert(f.begin() + static_cast<int64_t>(pos() % (f.size() + 1)),
                 static_cast<size_t>(gen.randint(1, 9)), static_cast<uint8_t>(gen.randint(0, 256)));
        break;
      case 4: {  // an extreme u32 (counts and lengths are u32)
        if (f.size() < 4) break;
        const uint32_t values[] = {0, 1, 0x7fffffffu, 0xffffffffu, 0x10000u};
        const uint32_t v = values[gen.randint(0, 5)];
        std::memcpy(f.data() + pos() % (f.size() - 3), &v, 4);
        break;
      }
      default:  // change the type byte
        if (!f.empty()) f[0] = static_cast<uint8_t>(gen.randint(0, 10));
        break;
    }
  }
}

TEST(DecoderFuzz, MutatedFramesDecodeOrThrowProtocolError) {
  const auto ls = layouts();
  const auto frames = corpus(ls);
  Generator gen(20240611);
  Frame out;  // reused, as a peer does: a failed decode must not poison the next one
  int64_t decoded = 0, rejected = 0;
  for (int i = 0; i < kIterations; ++i) {
    std::vector<uint8_t> f =
        frames[static_cast<size_t>(gen.randint(0, static_cast<int64_t>(frames.size())))];
    mutate(f, gen);
    const Layout* layout =
        gen.randint(0, 4) == 0
            ? nullptr
            : &ls[static_cast<size_t>(gen.randint(0, static_cast<int64_t>(ls.size())))];
    try {
      decode_frame(f, layout, out);
      ++decoded;
    } catch (const ProtocolError&) {
      ++rejected;
    }
  }
  // Both outcomes happen: the mutations are neither all harmless nor all fatal.
  EXPECT_GT(decoded, kIterations / 100);
  EXPECT_GT(rejected, kIterations / 10);
  // And the reused Frame still decodes every valid frame afterwards.
  for (const auto& f : frames) {
    for (const Layout& l : ls) {
      try {
        decode_frame(f, &l, out);
      } catch (const ProtocolError&) {  // a frame of another layout may not fit this one
      }
    }
  }
  EXPECT_EQ(decode_frame(frames[0], nullptr, out), FrameType::Hello);
  EXPECT_EQ(out.hello.token, "tok");
}

TEST(DecoderFuzz, RandomBytesDecodeOrThrowProtocolError) {
  const auto ls = layouts();
  Generator gen(7);
  Frame out;
  for (int i = 0; i < kIterations; ++i) {
    std::vector<uint8_t> f(static_cast<size_t>(gen.randint(0, 64)));
    for (auto& b : f) b = static_cast<uint8_t>(gen.randint(0, 256));
    if (!f.empty()) f[0] = static_cast<uint8_t>(gen.randint(1, 9));  // mostly known types
    try {
      decode_frame(f, &ls[static_cast<size_t>(i) % ls.size()], out);
    } catch (const ProtocolError&) {
    }
    uint8_t prefix[4];
    for (auto& b : prefix) b = static_cast<uint8_t>(gen.randint(0, 256));
    try {
      EXPECT_LE(decode_length(std::span<const uint8_t, 4>(prefix), 4096), 4096u);
    } catch (const ProtocolError&) {
    }
  }
}

// Sends `bytes` on a new loopback connection, half-closes it and reads until the server closes
// its end. Returns false if the server left the connection open (10 s without a byte).
bool send_and_drain(uint16_t port, const std::vector<uint8_t>& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  bool closed = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    // The server may close before reading everything (a refused frame): a failed send is fine.
    (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    uint8_t buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) {
    }
    closed = n == 0 || (n < 0 && errno == ECONNRESET);
  }
  ::close(fd);
  return closed;
}

TEST(ServerFuzz, MutatedSessionsOverLoopbackAreAnsweredOrClosedAndServingGoesOn) {
  Server server(ServerOptions{.env_id = "CartPole-v1"});
  server.start();
  testing::Raw probe(server.port());
  probe.handshake();
  const Layout layout = *probe.layout;
  // Valid client frames, length prefixes included: a Hello, then session frames.
  std::vector<std::vector<uint8_t>> session(6);
  encode_hello(Hello{}, session[0]);
  encode_reset(ResetRequest{.seed = 3}, session[1]);
  encode_step(layout, Action(int64_t{0}), session[2]);
  encode_step(layout, Action(int64_t{1}), session[3]);
  encode_close(session[4]);
  encode_error(ErrorFrame{ErrorCode::EnvError, "client side"}, session[5]);
  Generator gen(20261206);
  int64_t frames = 0, mutated = 0, left_open = 0;
  for (int c = 0; c < kConnections; ++c) {
    // Hello, Reset, then up to 6 frames of any kind; each frame mutated with probability 1/3.
    std::vector<uint8_t> bytes;
    const int64_t n = gen.randint(1, 9);
    for (int64_t i = 0; i < n; ++i) {
      std::vector<uint8_t> f = session[static_cast<size_t>(i < 2 ? i : gen.randint(1, 6))];
      if (gen.randint(0, 3) == 0) {
        mutate(f, gen);
        ++mutated;
      }
      bytes.insert(bytes.end(), f.begin(), f.end());
      ++frames;
    }
    if (!send_and_drain(server.port(), bytes)) ++left_open;
  }
  EXPECT_EQ(left_open, 0);
  testing::expect_serving(server.port());
  const ServerStats stats = server.stats();
  EXPECT_EQ(stats.accepted, kConnections + 2);
  EXPECT_GT(stats.steps, kConnections / 10);   // many sessions got as far as stepping
  EXPECT_GT(stats.errors, kConnections / 10);  // and many were refused
  std::printf("%d connections, %lld frames (%lld mutated): %lld steps answered, %lld errors\n",
              kConnections, static_cast<long long>(frames), static_cast<long long>(mutated),
              static_cast<long long>(stats.steps), static_cast<long long>(stats.errors));
}

}  // namespace
}  // namespace rein::envs::remote
