// Test helpers for talking to a server the way no well-behaved client would: a raw connection
// that sends any bytes, a fake server that answers with any bytes, and the process's resident
// memory for tests that bound what hostile frames make a peer allocate.
#pragma once

#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <functional>
#include <optional>
#include <thread>

#include "envs/remote/internal/connection.h"
#include "envs/remote/internal/wire.h"
#include "envs/remote/protocol.h"
#include "envs/remote/remote_env.h"

namespace rein::envs::remote::testing {

inline std::string url_of(uint16_t port) { return str("remote://127.0.0.1:", port); }

inline bool says(const std::string& message, const std::string& text) {
  return message.find(text) != std::string::npos;
}

// A raw connection speaking bytes, for inputs no well-behaved client would send.
struct Raw {
  explicit Raw(uint16_t port, int64_t timeout_ms = 10000)
      : conn("127.0.0.1", port, 5000, timeout_ms) {}
  void send(const std::vector<uint8_t>& bytes) { conn.send(bytes, "test"); }
  // The next frame from the server, decoded with the session's layout once handshake() ran.
  Frame receive() {
    Frame f;
    decode_frame(conn.receive(kDefaultMaxFrameBytes, "test", layout ? &*layout : nullptr),
                 layout ? &*layout : nullptr, f);
    return f;
  }
  // Hello and Welcome, as a real client does; the Welcome's layout decodes later replies.
  void handshake(uint32_t num_envs = 1) {
    std::vector<uint8_t> b;
    encode_hello(Hello{.num_envs = num_envs}, b);
    send(b);
    const Frame f = receive();
    if (f.type != FrameType::Welcome) throw Error("Raw::handshake: no Welcome");
    layout.emplace(f.welcome);
  }
  // True once the server has closed its end (what every fatal error ends with).
  bool closed_by_server() {
    try {
      conn.receive(kDefaultMaxFrameBytes, "test", nullptr);
    } catch (const ProtocolError& e) {
      return e.code() == ErrorCode::ConnectionLost;
    }
    return false;
  }
  internal::Connection conn;
  std::optional<Layout> layout;
};

inline std::vector<uint8_t> hello(std::string token = "", uint16_t version = kProtocolVersion) {
  std::vector<uint8_t> b;
  encode_hello(Hello{.version = version, .token = std::move(token)}, b);
  return b;
}

// The first bytes of a frame: its length prefix and type byte, as a hostile peer announces a
// frame whose body it may never send.
inline std::vector<uint8_t> frame_start(FrameType type, uint32_t length) {
  std::vector<uint8_t> b(5);
  internal::copy_le<uint32_t>(b.data(), &length, 1);
  b[4] = static_cast<uint8_t>(type);
  return b;
}

// A ResetResult or StepResult for a 1-env CartPole session (no autoreset) whose info has
// `count` number entries "k0", "k1", ... (983 KB for 65535), with its length prefix.
inline std::vector<uint8_t> info_flood(FrameType type, uint16_t count) {
  std::vector<uint8_t> b;
  internal::Writer w(b);
  w.put<uint32_t>(0);  // the length, set below
  w.put<uint8_t>(static_cast<uint8_t>(type));
  w.put<uint32_t>(1);
  const float obs[4] = {0, 0, 0, 0};
  w.put_array(obs, 4);
  if (type == FrameType::StepResult) {
    w.put<double>(1.0);
    w.put<uint8_t>(0);
  }
  w.put<uint16_t>(count);
  for (uint16_t i = 0; i < count; ++i) {
    w.put_string(str("k", i));
    w.put<uint8_t>(0);
    w.put<double>(i);
  }
  const auto length = static_cast<uint32_t>(b.size() - kLengthBytes);
  internal::copy_le<uint32_t>(b.data(), &length, 1);
  return b;
}

// A Reset frame with `count` distinct options of `value_bytes` each, written without
// encode_reset's limits (as a hostile client sends; 15.4 MB for 1.4M empty values).
inline std::vector<uint8_t> option_flood(uint32_t count, size_t value_bytes) {
  std::vector<uint8_t> b;
  internal::Writer w(b);
  w.put<uint32_t>(0);
  w.put<uint8_t>(static_cast<uint8_t>(FrameType::Reset));
  w.put_bool(true);
  w.put<uint64_t>(1);
  w.put<uint32_t>(count);
  const std::string value(value_bytes, 'v');
  for (uint32_t i = 0; i < count; ++i) {
    w.put_string(str(i));
    w.put_string(value);
  }
  const auto length = static_cast<uint32_t>(b.size() - kLengthBytes);
  internal::copy_le<uint32_t>(b.data(), &length, 1);
  return b;
}

// A client that keeps working while another misbehaves.
inline void expect_serving(uint16_t port) {
  auto env = make_env(url_of(port));
  env->reset(0);
  if (env->step(1).obs.numel() != 4) throw Error("expect_serving: wrong observation");
}

// A fake server for one client: `answer` gets each frame the client sends (the bytes after its
// length prefix) and returns the bytes to send back, any bytes or none. It serves until the
// client closes the connection.
class FakeServer {
 public:
  using Answer = std::function<std::vector<uint8_t>(const std::vector<uint8_t>& frame)>;
  explicit FakeServer(Answer answer)
      : answer_(std::move(answer)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeServer() { thread_.join(); }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void serve() {
    boost::asio::ip::tcp::socket s(io_);
    acceptor_.accept(s);
    boost::system::error_code ec;
    std::vector<uint8_t> in;
    for (;;) {
      uint8_t prefix[4];
      boost::asio::read(s, boost::asio::buffer(prefix), ec);
      if (ec) return;
      in.resize(decode_length(std::span<const uint8_t, 4>(prefix), kDefaultMaxFrameBytes));
      boost::asio::read(s, boost::asio::buffer(in), ec);
      if (ec) return;
      const std::vector<uint8_t> out = answer_(in);
      if (!out.empty()) boost::asio::write(s, boost::asio::buffer(out), ec);
    }
  }

  Answer answer_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

// An answer that sends `bytes` for the client's first frame and nothing after.
inline FakeServer::Answer reply_once(std::vector<uint8_t> bytes) {
  return [bytes = std::move(bytes), sent = false](const std::vector<uint8_t>&) mutable {
    if (sent) return std::vector<uint8_t>();
    sent = true;
    return bytes;
  };
}

// This process's resident memory (Linux /proc/self/statm), in bytes.
inline int64_t resident_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f == nullptr || std::fscanf(f, "%ld %ld", &size, &resident) != 2) {
    if (f != nullptr) std::fclose(f);
    throw Error("resident_bytes: cannot read /proc/self/statm");
  }
  std::fclose(f);
  return static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

}  // namespace rein::envs::remote::testing
